/** The config of a resumed run: the saved run's settings, overridden by the settings stated for this invocation. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { trainDefaults, type TrainJobConfig } from '../job-config.js';
import { perceptualChoice, quantizerOverrideOf } from './fresh-config.js';
import { givenPredicate, TRAIN_SETTING_KEYS, TrainSettingsError, checkSettingChoices, type GivenSettings, type TrainSettings } from './train-settings.js';

/**
 * Settings that steer one invocation only: a resume never inherits them (an inherited `--stop-after 160` would stop
 * the resumed run at once); they apply when given again.
 */
const PER_INVOCATION: ReadonlySet<keyof TrainJobConfig> = new Set(['maxMinutes', 'stopAfterStep']);

/**
 * The resolved config a training checkpoint was written with (`state.json`), completed with the defaults of its
 * preset and stage for keys added since. Throws a {@link TrainSettingsError} naming the file when it holds no usable
 * config.
 */
export async function readSavedTrainConfig(checkpointDir: string): Promise<TrainJobConfig> {
  const file = path.join(checkpointDir, 'state.json');
  let state: { config?: unknown };
  try {
    state = JSON.parse(await fs.readFile(file, 'utf8')) as { config?: unknown };
  } catch (error) {
    throw new TrainSettingsError(`train --resume: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const saved = state.config as Partial<TrainJobConfig> | undefined;
  if (!saved || typeof saved !== 'object' || typeof saved.data !== 'string' || typeof saved.preset !== 'string' || (saved.stage !== 1 && saved.stage !== 2)) {
    throw new TrainSettingsError(`train --resume: ${file} holds no training config (preset, stage, data); pass the settings again or start a new run`);
  }
  return completeSavedTrainConfig(saved as Partial<TrainJobConfig> & Pick<TrainJobConfig, 'preset' | 'stage'>);
}

/**
 * A saved run's config completed for keys added since it was written: the preset's and stage's defaults, except that
 * a run saved before `decodeMode` existed decoded every image in full (it resumes as `exact`).
 */
export function completeSavedTrainConfig(saved: Partial<TrainJobConfig> & Pick<TrainJobConfig, 'preset' | 'stage'>): TrainJobConfig {
  return { ...trainDefaults(saved.preset, saved.stage), decodeMode: 'exact', ...saved } as TrainJobConfig;
}

/**
 * The config keys the stated settings set on a resume (`given`, default: the defined ones); every other setting
 * comes from `saved`. Quantizer factors merge into the saved quantizer; `perceptual` resolves against the saved
 * LPIPS weights.
 */
export function resumeOverrides(settings: TrainSettings, saved: TrainJobConfig, options: { readonly given?: GivenSettings } = {}): Partial<TrainJobConfig> {
  checkSettingChoices(settings);
  const given = givenPredicate(settings, options.given);
  const values = settings as Readonly<Record<string, unknown>>;
  const overrides: Record<string, unknown> = {};
  for (const [setting, key] of TRAIN_SETTING_KEYS) if (given(setting) && values[setting] !== undefined) overrides[key] = values[setting];
  if (given('dinoWeights')) overrides['discBackbone'] = 'dino';
  const quantizer = quantizerOverrideOf({
    quantizer: given('quantizer') ? settings.quantizer : undefined,
    codebookSize: given('codebookSize') ? settings.codebookSize : undefined,
    codebookDim: given('codebookDim') ? settings.codebookDim : undefined,
  });
  if (quantizer !== null) overrides['quantizer'] = { ...(saved.quantizer ?? {}), ...quantizer };
  if (given('perceptual')) overrides['perceptual'] = perceptualChoice(settings.perceptual, settings.lpipsWeights ?? saved.lpipsWeights ?? undefined, saved.perceptual);
  return overrides as Partial<TrainJobConfig>;
}

/** A resume's config and the settings its overrides changed (`steps 8 → 12`), for the log. */
export interface ResumedConfig {
  readonly config: TrainJobConfig;
  readonly changes: readonly string[];
}

/**
 * The config of a resumed run: every setting from `saved` (the checkpoint's run) except `overrides` (see
 * {@link resumeOverrides}), with `out`/`resume` of this invocation. Per-invocation limits (`stopAfterStep`,
 * `maxMinutes`) are not inherited. The model is the checkpoint's, so `preset`/`stage` may only repeat it.
 */
export function resumedTrainConfig(saved: TrainJobConfig, overrides: Partial<TrainJobConfig>, out: string): ResumedConfig {
  for (const key of ['preset', 'stage'] as const) {
    if (overrides[key] !== undefined && overrides[key] !== saved[key]) {
      throw new TrainSettingsError(`train --resume: the run in ${out} is ${saved.preset} stage ${saved.stage}; --${key} ${String(overrides[key])} cannot resume it (start a new --out)`);
    }
  }
  const inherited = Object.fromEntries(Object.entries(saved).filter(([key]) => !PER_INVOCATION.has(key as keyof TrainJobConfig)));
  const merged: TrainJobConfig = { ...(inherited as unknown as TrainJobConfig), maxMinutes: null, stopAfterStep: null, ...overrides, out, resume: true };
  // A shorter schedule keeps its warm-up inside it.
  const config: TrainJobConfig = { ...merged, warmupSteps: Math.min(merged.warmupSteps, merged.steps) };
  const changes = (Object.keys(config) as (keyof TrainJobConfig)[])
    .filter((key) => key !== 'out' && key !== 'resume' && !PER_INVOCATION.has(key) && JSON.stringify(saved[key]) !== JSON.stringify(config[key]))
    .map((key) => `${key} ${JSON.stringify(saved[key])} → ${JSON.stringify(config[key])}`);
  return { config, changes };
}
