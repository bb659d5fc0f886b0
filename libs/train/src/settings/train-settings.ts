/**
 * The flat settings of one training run, as a user (or `vqrae train`'s flags) states them: every one optional, named
 * like the CLI flag (`warmup`, `clip`, `stopAfter`), with the preset's and stage's defaults filling the rest (see
 * {@link freshTrainConfig}). Plain data; {@link TRAIN_SETTING_KEYS} maps the one-to-one settings to config keys.
 */
import type { DecodeMode } from '@vqrae/data';
import type { TrainJobConfig } from '../job-config.js';

/** The choices of the string settings (the CLI declares its flags with these; the library checks them again). */
export const TRAIN_SETTING_CHOICES = {
  quantizer: ['simvq', 'vq'],
  pixelLoss: ['l2', 'l1'],
  perceptual: ['off', 'enc-perceptual', 'lpips'],
  onError: ['throw', 'skip'],
  decodeMode: ['fast', 'exact'],
} as const;

/** One training run's settings; an absent one takes the default of the preset and stage (or the saved run's on resume). */
export interface TrainSettings {
  /** Model preset (default `tiny`; stage 2 and `init` take it from their checkpoint). */
  readonly preset?: string;
  /** 1 = encoder frozen (default); 2 = encoder trainable + self-distillation (needs `from`). */
  readonly stage?: number;
  /** Training shards (WebDataset spec); required for a new run. */
  readonly data?: string;
  /** Held-out shards for evaluation and previews. */
  readonly evalData?: string;
  /** Stage 2: stage-1 run folder, checkpoint folder or model .safetensors. */
  readonly from?: string;
  /** Stage 1: start from the weights of this .safetensors file (same preset and codebook; fresh optimizer). */
  readonly init?: string;
  /** Continue the run of the output folder from its latest checkpoint. */
  readonly resume?: boolean;
  readonly steps?: number;
  /** Stop after this step although the schedule runs to `steps` (a per-invocation limit: never inherited). */
  readonly stopAfter?: number;
  readonly batch?: number;
  readonly accumulate?: number;
  readonly lr?: number;
  readonly finalLr?: number;
  readonly encoderLr?: number;
  readonly encoderFinalLr?: number;
  /** Linear warm-up steps (default: the preset's, or 5% of an explicit `steps`). */
  readonly warmup?: number;
  readonly emaDecay?: number;
  readonly emaWarmup?: boolean;
  /** Clip the global gradient norm to this value (default off). */
  readonly clip?: number;
  readonly pixelLoss?: (typeof TRAIN_SETTING_CHOICES.pixelLoss)[number];
  /** Weight of the structural term 1 − SSIM (default 0 = off; not in the paper). */
  readonly ssimWeight?: number;
  /** Stage 2: distillation weight λ_D. */
  readonly distill?: number;
  /** Default: `lpips` when `lpipsWeights` is given, else the preset's. */
  readonly perceptual?: (typeof TRAIN_SETTING_CHOICES.perceptual)[number];
  readonly perceptualWeight?: number;
  readonly lpipsWeights?: string;
  readonly ganWeight?: number;
  readonly ganDStart?: number;
  readonly ganGStart?: number;
  readonly ganAdaptiveEvery?: number;
  /** Default 9 with `dinoWeights`, else the preset's. */
  readonly discKernel?: number;
  /** DINO ViT-S/8 safetensors: the discriminator heads look at DINO instead of the frozen encoder. */
  readonly dinoWeights?: string;
  readonly onError?: (typeof TRAIN_SETTING_CHOICES.onError)[number];
  readonly decodeMode?: DecodeMode;
  readonly cropScaleMin?: number;
  readonly checkpointEvery?: number;
  readonly previewEvery?: number;
  readonly evalEvery?: number;
  readonly evalImages?: number;
  /** Stop (with final checkpoint and evaluation) after this many minutes (per invocation: never inherited). */
  readonly maxMinutes?: number;
  readonly seed?: number;
  /** Stage 1 quantizer factors other than the preset's. */
  readonly quantizer?: (typeof TRAIN_SETTING_CHOICES.quantizer)[number];
  readonly codebookSize?: number;
  readonly codebookDim?: number;
}

/** The name of one setting. */
export type TrainSettingKey = keyof TrainSettings;

/**
 * Setting → TrainJobConfig key for the settings that set one key to their value as given (on resume, an explicit
 * one overrides the saved run's). The others (`perceptual`, `dinoWeights`' backbone, the quantizer factors, `init`,
 * `resume`) are resolved by the functions of this folder.
 */
export const TRAIN_SETTING_KEYS: ReadonlyArray<readonly [TrainSettingKey, keyof TrainJobConfig]> = [
  ['preset', 'preset'], ['stage', 'stage'], ['data', 'data'], ['evalData', 'evalData'], ['from', 'from'], ['steps', 'steps'],
  ['stopAfter', 'stopAfterStep'], ['batch', 'batch'], ['accumulate', 'accumulate'], ['lr', 'lr'], ['finalLr', 'finalLr'],
  ['encoderLr', 'encoderLr'], ['encoderFinalLr', 'encoderFinalLr'], ['warmup', 'warmupSteps'], ['emaDecay', 'emaDecay'],
  ['emaWarmup', 'emaWarmup'], ['clip', 'clipGradNorm'], ['pixelLoss', 'pixelLoss'], ['ssimWeight', 'ssimWeight'], ['distill', 'distillWeight'],
  ['perceptualWeight', 'perceptualWeight'], ['lpipsWeights', 'lpipsWeights'], ['ganWeight', 'ganWeight'], ['ganDStart', 'ganDStart'],
  ['ganGStart', 'ganGStart'], ['ganAdaptiveEvery', 'ganAdaptiveEvery'], ['discKernel', 'discKernel'], ['dinoWeights', 'dinoWeights'],
  ['onError', 'onError'], ['decodeMode', 'decodeMode'], ['cropScaleMin', 'cropScaleMin'], ['checkpointEvery', 'checkpointEvery'], ['previewEvery', 'previewEvery'],
  ['evalEvery', 'evalEvery'], ['evalImages', 'evalImages'], ['maxMinutes', 'maxMinutes'], ['seed', 'seed'],
];

/**
 * Which settings the user stated (rather than left to defaults): a resume overrides the saved run with exactly
 * these, and `preset` decides whether `init`'s checkpoint may choose the preset. Default: every setting whose value
 * is not undefined.
 */
export type GivenSettings = ReadonlySet<string>;

/** `given` as a predicate (see {@link GivenSettings}). */
export function givenPredicate(settings: TrainSettings, given: GivenSettings | undefined): (key: TrainSettingKey) => boolean {
  return given ? (key) => given.has(key) : (key) => settings[key] !== undefined;
}

/**
 * Settings that cannot start or resume a run (a missing `data`, `--init` with `--resume`, a resume of another preset,
 * an unreadable saved config). The message is worded as the CLI prints it; the CLI maps it to its usage error.
 */
export class TrainSettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainSettingsError';
  }
}

/** Checks the string settings against {@link TRAIN_SETTING_CHOICES} (a script may pass any string). */
export function checkSettingChoices(settings: TrainSettings): void {
  for (const [key, choices] of Object.entries(TRAIN_SETTING_CHOICES) as [keyof typeof TRAIN_SETTING_CHOICES, readonly string[]][]) {
    const value = settings[key];
    if (value !== undefined && !choices.includes(value)) throw new TrainSettingsError(`train: setting ${key} '${String(value)}' is not one of ${choices.join(', ')}`);
  }
  if (settings.stage !== undefined && settings.stage !== 1 && settings.stage !== 2) throw new TrainSettingsError(`train: setting stage ${settings.stage} is not 1 or 2`);
}
