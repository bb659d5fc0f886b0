/** The config of a new training run from its settings over the defaults of the preset and stage. */
import { defaultPerceptualWeight, trainDefaults, type TrainJobConfig } from '../job-config.js';
import { presetOf } from '../model-factory.js';
import type { QuantizerOverride } from '../quantizer-override.js';
import { checkSettingChoices, givenPredicate, TRAIN_SETTING_KEYS, TrainSettingsError, type GivenSettings, type TrainSettings } from './train-settings.js';

/** The preset of a run whose settings name none. */
export const DEFAULT_TRAIN_PRESET = 'tiny';

/** The perceptual setting: explicit choice, else LPIPS when its weights are supplied, else the preset default. */
export function perceptualChoice(choice: TrainSettings['perceptual'], lpipsWeights: string | undefined, preset: TrainJobConfig['perceptual']): TrainJobConfig['perceptual'] {
  if (choice === 'lpips' && lpipsWeights === undefined) throw new TrainSettingsError('train: --perceptual lpips needs --lpips-weights <file> (see README: converting the VGG16 and LPIPS weights)');
  if (choice !== undefined) return choice;
  return lpipsWeights !== undefined ? 'lpips' : preset;
}

/** The quantizer override the settings ask for, or null when none of its factors is given. */
export function quantizerOverrideOf(s: Pick<TrainSettings, 'quantizer' | 'codebookSize' | 'codebookDim'>): QuantizerOverride | null {
  if (s.quantizer === undefined && s.codebookSize === undefined && s.codebookDim === undefined) return null;
  return {
    ...(s.quantizer !== undefined ? { kind: s.quantizer } : {}),
    ...(s.codebookSize !== undefined ? { codebookSize: s.codebookSize } : {}),
    ...(s.codebookDim !== undefined ? { codebookDim: s.codebookDim } : {}),
  };
}

/**
 * The config of a new run into `out`: `settings` over the defaults of the preset and stage. Stage 2 takes the preset
 * of its `from` model (an explicit other `preset` is refused); `init` without an explicit `preset` takes the
 * checkpoint's. `given` says which settings the user stated (default: the defined ones). Throws
 * {@link TrainSettingsError} for settings that cannot start a run; reads the preset of `from`/`init` checkpoints.
 */
export async function freshTrainConfig(settings: TrainSettings, out: string, options: { readonly given?: GivenSettings } = {}): Promise<TrainJobConfig> {
  const s = settings;
  const given = givenPredicate(s, options.given);
  checkSettingChoices(s);
  if (s.data === undefined) throw new TrainSettingsError('train: --data <shards> is required');
  const stage = s.stage === 2 ? 2 : 1;
  const resume = s.resume ?? false;
  if (stage === 2 && s.from === undefined && !resume) throw new TrainSettingsError('train --stage 2 needs --from <stage-1 checkpoint>');
  const requestedPreset = s.preset ?? DEFAULT_TRAIN_PRESET;
  // Stage 2 continues the `from` model: its preset decides the defaults (a stated preset is only a check).
  const sourcePreset = stage === 2 && s.from !== undefined ? await presetOf(s.from) : null;
  // `init` without a stated preset takes the checkpoint's (a mismatching stated one is refused below).
  const initPreset = stage === 1 && s.init !== undefined && !given('preset') ? await presetOf(s.init) : null;
  const preset = sourcePreset ?? initPreset ?? requestedPreset;
  if (sourcePreset !== null && given('preset') && requestedPreset !== sourcePreset) {
    throw new TrainSettingsError(`train --stage 2: --preset ${requestedPreset} but --from ${s.from} is a '${sourcePreset}' model`);
  }
  if (s.init !== undefined) {
    if (stage === 2) throw new TrainSettingsError('train --init starts a stage-1 run; stage 2 continues a model with --from');
    const checkpointPreset = await presetOf(s.init);
    if (checkpointPreset !== preset) throw new TrainSettingsError(`train --init ${s.init}: a '${checkpointPreset ?? 'non-vqrae'}' checkpoint cannot start a '${preset}' run`);
  }
  // With `init` or stage 2 the model comes from a checkpoint: quantizer factors may only repeat its quantizer
  // (checked when the job builds its model).
  const quantizer = quantizerOverrideOf(s);
  const d = trainDefaults(preset, stage);
  const steps = s.steps ?? d.steps;
  const perceptual = perceptualChoice(s.perceptual, s.lpipsWeights, d.perceptual);
  // Every setting that sets one key to its value (TRAIN_SETTING_KEYS) overrides the default; preset and stage were
  // resolved above (a stated preset may only be a check); the rest is derived below.
  const values = s as Readonly<Record<string, unknown>>;
  const stated = Object.fromEntries(
    TRAIN_SETTING_KEYS.filter(([setting]) => setting !== 'preset' && setting !== 'stage' && values[setting] !== undefined).map(([setting, key]) => [key, values[setting]]),
  ) as Partial<TrainJobConfig>;
  return {
    ...d,
    preset,
    stage,
    data: s.data,
    evalData: s.evalData ?? null,
    out,
    from: s.from ?? null,
    init: s.init ?? null,
    resume,
    ...(quantizer !== null ? { quantizer } : {}),
    ...stated,
    warmupSteps: Math.min(s.warmup ?? (s.steps !== undefined ? Math.max(1, Math.round(steps * 0.05)) : d.warmupSteps), steps),
    perceptual,
    perceptualWeight: s.perceptualWeight ?? defaultPerceptualWeight(perceptual),
    discKernel: s.discKernel ?? (s.dinoWeights !== undefined ? 9 : d.discKernel),
    discBackbone: s.dinoWeights !== undefined ? 'dino' : d.discBackbone,
  };
}
