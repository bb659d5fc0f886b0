import { StageError } from '@vqrae/graph';
import { VQRAE_PRESETS } from '@vqrae/tokenizer';
import path from 'node:path';
import {
  booleanOption,
  COMMON_OPTIONS,
  defineCommand,
  intOption,
  numberOption,
  pathOption,
  stringOption,
  UsageError,
  type ResolvedOptions,
  type ValueSource,
} from '../cli/index.js';
import {
  defaultPerceptualWeight,
  InitRefusedError,
  openTrainJob,
  presetOf,
  QuantizerOverrideError,
  resolveCheckpointDir,
  type QuantizerOverride,
  trainDefaults,
  type TrainJobConfig,
  type TrainJobResult,
} from '@vqrae/train';
import { readSavedTrainConfig, resumedTrainConfig } from '../train/resume-config.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { DECODE_MODE_FAST_DEFAULT, decodeModeOf } from './decode-mode-option.js';

/** The quantizer factors of a stage-1 run (the ablation grid's cells; `vqrae ablate` takes lists instead). */
const QUANTIZER_OPTIONS = {
  quantizer: stringOption({ description: "stage 1: quantizer variant (default the preset's, SimVQ); 'vq' = plain learnable codebook", choices: ['simvq', 'vq'] }),
  codebookSize: intOption({ description: "stage 1: codebook entries k (default the preset's)", min: 1 }),
  codebookDim: intOption({ description: "stage 1: codebook dimension e (default the preset's; the init std follows it)", min: 1 }),
} as const;

/** `vqrae train`'s options for one run (every `vqrae ablate` cell takes them too, except the per-run ones). */
export const TRAIN_OPTIONS = {
  preset: stringOption({ description: 'model preset (stage 2 takes it from the --from checkpoint)', choices: Object.keys(VQRAE_PRESETS), default: 'tiny' }),
  data: stringOption({ description: 'training shards (WebDataset spec: paths, {000..009} ranges, :: lists)', placeholder: '<shards>' }),
  evalData: stringOption({ description: 'held-out shards for periodic PSNR / codebook evaluation and previews', placeholder: '<shards>' }),
  stage: intOption({ description: 'training stage: 1 = encoder frozen; 2 = encoder trainable + self-distillation (needs --from)', default: 1, min: 1, max: 2 }),
  from: pathOption({ description: 'stage 2: stage-1 run folder, checkpoint folder, model .safetensors or a shipped name (vqrae info)', shipped: true, placeholder: '<path|name>' }),
  init: pathOption({ description: 'stage 1: start quant_in, W, b and the decoder from this checkpoint of the same preset and codebook (fresh optimizer); a .safetensors file or a shipped name', mustExist: 'file', shipped: true, placeholder: '<file|name>' }),
  resume: booleanOption({ description: 'continue the run in --out from its latest checkpoint (optimizer, EMA, data position)', default: false }),
  steps: intOption({ description: 'optimizer steps (default per preset and stage)', min: 1 }),
  stopAfter: intOption({ description: 'stop after this step although the schedule runs to --steps (resume later)', min: 1 }),
  batch: intOption({ description: 'micro-batch size (default per preset)', min: 1 }),
  accumulate: intOption({ description: 'micro-batches per optimizer step (gradient accumulation)', min: 1 }),
  lr: numberOption({ description: 'peak learning rate (decoder, quant_in, W, b)', min: 0 }),
  finalLr: numberOption({ description: 'learning rate at the last step (cosine end)', min: 0 }),
  encoderLr: numberOption({ description: 'stage 2: peak learning rate of the encoder', min: 0 }),
  encoderFinalLr: numberOption({ description: 'stage 2: final learning rate of the encoder', min: 0 }),
  warmup: intOption({ description: 'linear warm-up steps', min: 0 }),
  emaDecay: numberOption({ description: 'EMA decay of the weights used for evaluation and export', min: 0, max: 1 }),
  emaWarmup: booleanOption({ description: 'EMA decay warm-up min(decay, (1+t)/(10+t)); --no-ema-warmup = constant decay', default: true }),
  clip: numberOption({ description: 'clip the global gradient norm to this value (default off)', min: 0 }),
  pixelLoss: stringOption({ description: 'pixel reconstruction loss', choices: ['l2', 'l1'] }),
  ssimWeight: numberOption({ description: 'weight of a structural term 1 − SSIM added to the pixel loss (not in the paper; default 0 = off)', min: 0 }),
  distill: numberOption({ description: 'stage 2: distillation weight λ_D (0 = logged but not optimised)', min: 0 }),
  perceptual: stringOption({ description: "perceptual term: 'lpips' (needs --lpips-weights), 'enc-perceptual' (substitute on the frozen encoder's features, not LPIPS) or 'off'", choices: ['off', 'enc-perceptual', 'lpips'] }),
  perceptualWeight: numberOption({ description: 'weight λ_P of the perceptual term (default: lpips 1, enc-perceptual 0.1)', min: 0 }),
  lpipsWeights: pathOption({ description: 'LPIPS VGG16 + v0.1 heads as safetensors (tools/convert/lpips_to_safetensors.py)', placeholder: '<file>' }),
  ganWeight: numberOption({ description: 'λ_G of the adversarial term (× adaptive weight); 0 = no GAN, no discriminator', min: 0 }),
  ganDStart: numberOption({ description: 'fraction of the steps after which the discriminator trains', min: 0, max: 1 }),
  ganGStart: numberOption({ description: 'fraction of the steps after which the adversarial term enters the loss', min: 0, max: 1 }),
  ganAdaptiveEvery: intOption({ description: 'recompute the adaptive GAN weight every N steps', min: 1 }),
  discKernel: intOption({ description: 'kernel of the discriminator heads (odd; default 9 with --dino-weights)', min: 1 }),
  dinoWeights: pathOption({ description: "DINO ViT-S/8 as safetensors (tools/convert/dino_to_safetensors.py): the heads look at DINO ('DINO-disc', RAE) instead of the frozen encoder ('E_T-disc')", placeholder: '<file>' }),
  onError: stringOption({ description: "undecodable training images: 'throw' (stop, naming shard and key) or 'skip' (count and log)", choices: ['throw', 'skip'] }),
  decodeMode: DECODE_MODE_FAST_DEFAULT,
  cropScaleMin: numberOption({ description: 'random-resized crop: smallest area fraction', min: 0.01, max: 1 }),
  checkpointEvery: intOption({ description: 'write a checkpoint every N steps (and at the end)', min: 0 }),
  previewEvery: intOption({ description: 'write a reconstruction preview grid every N steps', min: 0 }),
  evalEvery: intOption({ description: 'evaluate on --eval-data every N steps (and at the start and end)', min: 0 }),
  evalImages: intOption({ description: 'held-out images to evaluate on', min: 1 }),
  maxMinutes: numberOption({ description: 'stop (with final checkpoint and evaluation) after this many minutes', min: 0 }),
  ...REMOTE_SHARD_OPTIONS,
} as const;

/** The perceptual setting: explicit flag, else LPIPS when weights are supplied, else the preset default. */
function perceptualChoice(flag: string | undefined, lpipsWeights: string | undefined, preset: TrainJobConfig['perceptual']): TrainJobConfig['perceptual'] {
  if (flag === 'lpips' && lpipsWeights === undefined) throw new UsageError('train: --perceptual lpips needs --lpips-weights <file> (see README: converting the VGG16 and LPIPS weights)');
  if (flag === 'off' || flag === 'enc-perceptual' || flag === 'lpips') return flag;
  return lpipsWeights !== undefined ? 'lpips' : preset;
}

/** Resolved `vqrae train` flags. */
export type TrainFlags = ResolvedOptions<typeof TRAIN_OPTIONS & typeof QUANTIZER_OPTIONS & typeof COMMON_OPTIONS>;

/** The quantizer override the flags ask for, or null when none of them is given. */
function quantizerOverrideOf(o: Pick<TrainFlags, 'quantizer' | 'codebookSize' | 'codebookDim'>): QuantizerOverride | null {
  if (o.quantizer === undefined && o.codebookSize === undefined && o.codebookDim === undefined) return null;
  return {
    ...(o.quantizer !== undefined ? { kind: o.quantizer === 'vq' ? 'vq' : 'simvq' } : {}),
    ...(o.codebookSize !== undefined ? { codebookSize: o.codebookSize } : {}),
    ...(o.codebookDim !== undefined ? { codebookDim: o.codebookDim } : {}),
  };
}

/** The config of a new run: flags (and --config) over the defaults of the preset and stage. */
export async function freshConfig(o: TrainFlags, sources: Readonly<Record<string, ValueSource>>, out: string): Promise<TrainJobConfig> {
  if (o.data === undefined) throw new UsageError('train: --data <shards> is required');
  const stage = o.stage === 2 ? 2 : 1;
  if (stage === 2 && o.from === undefined && !o.resume) throw new UsageError('train --stage 2 needs --from <stage-1 checkpoint>');
  // Stage 2 continues the --from model: its preset decides the defaults (a --preset flag is only a check).
  const sourcePreset = stage === 2 && o.from !== undefined ? await presetOf(o.from) : null;
  // --init without an explicit --preset takes the checkpoint's (a mismatching explicit one is refused below).
  const initPreset = stage === 1 && o.init !== undefined && sources['preset'] === 'default' ? await presetOf(o.init) : null;
  const preset = sourcePreset ?? initPreset ?? o.preset;
  if (sourcePreset !== null && sources['preset'] === 'cli' && o.preset !== sourcePreset) {
    throw new UsageError(`train --stage 2: --preset ${o.preset} but --from ${o.from} is a '${sourcePreset}' model`);
  }
  if (o.init !== undefined) {
    if (stage === 2) throw new UsageError('train --init starts a stage-1 run; stage 2 continues a model with --from');
    const checkpointPreset = await presetOf(o.init);
    if (checkpointPreset !== preset) throw new UsageError(`train --init ${o.init}: a '${checkpointPreset ?? 'non-vqrae'}' checkpoint cannot start a '${preset}' run`);
  }
  // With --init or stage 2 the model comes from a checkpoint: quantizer flags may only repeat its quantizer (checked
  // when the job builds its model).
  const quantizer = quantizerOverrideOf(o);
  const d = trainDefaults(preset, stage);
  const steps = o.steps ?? d.steps;
  const perceptual = perceptualChoice(o.perceptual, o.lpipsWeights, d.perceptual);
  return {
    ...d,
    preset,
    stage,
    data: o.data,
    evalData: o.evalData ?? null,
    out,
    from: o.from ?? null,
    init: o.init ?? null,
    resume: o.resume,
    ...(quantizer !== null ? { quantizer } : {}),
    steps,
    batch: o.batch ?? d.batch,
    accumulate: o.accumulate ?? d.accumulate,
    lr: o.lr ?? d.lr,
    finalLr: o.finalLr ?? d.finalLr,
    encoderLr: o.encoderLr ?? d.encoderLr,
    encoderFinalLr: o.encoderFinalLr ?? d.encoderFinalLr,
    warmupSteps: Math.min(o.warmup ?? (o.steps !== undefined ? Math.max(1, Math.round(steps * 0.05)) : d.warmupSteps), steps),
    emaDecay: o.emaDecay ?? d.emaDecay,
    emaWarmup: o.emaWarmup,
    clipGradNorm: o.clip ?? null,
    seed: o.seed,
    pixelLoss: o.pixelLoss === 'l1' ? 'l1' : 'l2',
    ssimWeight: o.ssimWeight ?? d.ssimWeight,
    distillWeight: o.distill ?? d.distillWeight,
    perceptual,
    perceptualWeight: o.perceptualWeight ?? defaultPerceptualWeight(perceptual),
    lpipsWeights: o.lpipsWeights ?? null,
    ganWeight: o.ganWeight ?? d.ganWeight,
    ganDStart: o.ganDStart ?? d.ganDStart,
    ganGStart: o.ganGStart ?? d.ganGStart,
    ganAdaptiveEvery: o.ganAdaptiveEvery ?? d.ganAdaptiveEvery,
    discKernel: o.discKernel ?? (o.dinoWeights !== undefined ? 9 : d.discKernel),
    discBackbone: o.dinoWeights !== undefined ? 'dino' : d.discBackbone,
    dinoWeights: o.dinoWeights ?? null,
    onError: o.onError === 'skip' ? 'skip' : d.onError,
    decodeMode: decodeModeOf(o.decodeMode),
    cropScaleMin: o.cropScaleMin ?? d.cropScaleMin,
    checkpointEvery: o.checkpointEvery ?? d.checkpointEvery,
    previewEvery: o.previewEvery ?? d.previewEvery,
    evalEvery: o.evalEvery ?? d.evalEvery,
    evalImages: o.evalImages ?? d.evalImages,
    maxMinutes: o.maxMinutes ?? null,
    stopAfterStep: o.stopAfter ?? null,
  };
}

/** Flag → TrainJobConfig key for the flags that set one key to their value as given. */
const FLAG_KEYS: ReadonlyArray<readonly [keyof TrainFlags, keyof TrainJobConfig]> = [
  ['preset', 'preset'], ['stage', 'stage'], ['data', 'data'], ['evalData', 'evalData'], ['from', 'from'], ['steps', 'steps'],
  ['stopAfter', 'stopAfterStep'], ['batch', 'batch'], ['accumulate', 'accumulate'], ['lr', 'lr'], ['finalLr', 'finalLr'],
  ['encoderLr', 'encoderLr'], ['encoderFinalLr', 'encoderFinalLr'], ['warmup', 'warmupSteps'], ['emaDecay', 'emaDecay'],
  ['emaWarmup', 'emaWarmup'], ['clip', 'clipGradNorm'], ['pixelLoss', 'pixelLoss'], ['ssimWeight', 'ssimWeight'], ['distill', 'distillWeight'],
  ['perceptualWeight', 'perceptualWeight'], ['lpipsWeights', 'lpipsWeights'], ['ganWeight', 'ganWeight'], ['ganDStart', 'ganDStart'],
  ['ganGStart', 'ganGStart'], ['ganAdaptiveEvery', 'ganAdaptiveEvery'], ['discKernel', 'discKernel'], ['dinoWeights', 'dinoWeights'],
  ['onError', 'onError'], ['decodeMode', 'decodeMode'], ['cropScaleMin', 'cropScaleMin'], ['checkpointEvery', 'checkpointEvery'], ['previewEvery', 'previewEvery'],
  ['evalEvery', 'evalEvery'], ['evalImages', 'evalImages'], ['maxMinutes', 'maxMinutes'], ['seed', 'seed'],
];

/** The config keys a resume's flags (or --config file) set explicitly; every other setting comes from the saved run. */
function explicitOverrides(o: TrainFlags, sources: Readonly<Record<string, ValueSource>>, saved: TrainJobConfig): Partial<TrainJobConfig> {
  const given = (flag: string): boolean => sources[flag] === 'cli' || sources[flag] === 'config';
  const flags = o as unknown as Record<string, unknown>;
  const overrides: Record<string, unknown> = {};
  for (const [flag, key] of FLAG_KEYS) if (given(flag) && flags[flag] !== undefined) overrides[key] = flags[flag];
  if (given('dinoWeights')) overrides['discBackbone'] = 'dino';
  const quantizer = quantizerOverrideOf({
    quantizer: given('quantizer') ? o.quantizer : undefined,
    codebookSize: given('codebookSize') ? o.codebookSize : undefined,
    codebookDim: given('codebookDim') ? o.codebookDim : undefined,
  });
  if (quantizer !== null) overrides['quantizer'] = { ...(saved.quantizer ?? {}), ...quantizer };
  if (given('perceptual')) overrides['perceptual'] = perceptualChoice(o.perceptual, o.lpipsWeights ?? saved.lpipsWeights ?? undefined, saved.perceptual);
  return overrides as Partial<TrainJobConfig>;
}

/** `vqrae train`: one training stage of a VQRAE tokenizer as a graph (see @vqrae/train, libs/train/src/train-job.ts). */
export const trainCommand = defineCommand({
  name: 'train',
  description: 'train a VQRAE tokenizer: stage 1 (encoder frozen) or stage 2 (encoder + self-distillation) on WebDataset shards',
  options: { ...TRAIN_OPTIONS, ...QUANTIZER_OPTIONS },
  examples: [
    "vqrae train --preset tiny --data 'train-{000..003}.tar' --eval-data val-000.tar --stage 1 --steps 2000 --out runs/tiny-s1",
    'vqrae train --stage 2 --from runs/tiny-s1 --data ... --eval-data ... --steps 1000 --out runs/tiny-s2',
    'vqrae train --resume --out runs/tiny-s1                 # every setting from the run; flags given override them',
    "vqrae train --init small-cpu --data 'photos-{000..003}.tar' --steps 200 --out runs/finetune   # fine-tune the shipped checkpoint",
  ],
  async run(ctx) {
    const o = ctx.options;
    const runDir = ctx.runFolder.dir;
    // Everything that can refuse the job is checked here, before the model is built (a refusal leaves the folder as it was).
    if (o.init !== undefined && (o.resume || o.from !== undefined)) throw new UsageError('train --init starts a new run from weights; it cannot be combined with --resume or --from');
    const latest = await resolveCheckpointDir(path.join(runDir, 'checkpoints'));
    if (!o.resume && latest !== null) throw new UsageError(`train: ${runDir} already has checkpoints; pass --resume to continue it or choose another --out`);
    let config: TrainJobConfig;
    if (o.resume && latest !== null) {
      const saved = await readSavedTrainConfig(latest);
      const resumed = resumedTrainConfig(saved, explicitOverrides(o, ctx.sources, saved), runDir);
      const changed = resumed.changes.length > 0 ? `changed by flags: ${resumed.changes.join(', ')}` : 'no flag changes any of them';
      ctx.log.info(`train --resume: settings of the run saved in ${path.join(latest, 'state.json')}; ${changed}`);
      config = resumed.config;
    } else {
      if (o.resume && o.data === undefined) throw new UsageError(`train --resume: ${runDir} has no checkpoint to resume; pass --data to start a new run there`);
      config = await freshConfig(o, ctx.sources, runDir);
    }
    const { preset, stage } = config;
    // options → the training graph from @vqrae/train → ctx.runGraph (graph.txt, progress, Ctrl-C, --dry-run).
    // A refused --init checkpoint (other preset or codebook) is found while the job builds its model: a usage error.
    const job = await openTrainJob(config, { log: ctx.log, remote: remoteShardOptions(o, ctx.log) }).catch((error: unknown) => {
      throw error instanceof InitRefusedError || error instanceof QuantizerOverrideError ? new UsageError(error.message) : error;
    });
    let result: TrainJobResult;
    try {
      const outcome = await ctx.runGraph('train', job.graph);
      if (outcome.error) throw outcome.error;
      if (outcome.summary.status === 'failed') throw new StageError('train', undefined, new Error(outcome.summary.failure?.message ?? 'failed'));
      result = await job.finish(outcome.summary);
    } finally {
      job.dispose();
    }
    const first = result.firstEval;
    const last = result.lastEval;
    ctx.print(`train: ${result.stepsDone} steps of ${preset} stage ${stage}; last loss ${result.lastRecord?.loss.toExponential(4) ?? 'n/a'}`);
    if (first && last) {
      ctx.print(
        `held-out PSNR ${first.psnr.toFixed(2)} dB (step ${first.step}) → ${last.psnr.toFixed(2)} dB (step ${last.step}); ` +
          `codebook utilisation ${(100 * last.utilisation).toFixed(1)}%, perplexity ${last.perplexity.toFixed(1)}` +
          (last.driftMse !== null ? `; feature drift mean (Z_I−Z_T)² ${last.driftMse.toExponential(3)}` : ''),
      );
    }
    ctx.print(`EMA model: ${result.emaModelFile}; curves: ${result.curves?.png ?? 'none'}; checkpoint: ${result.checkpointDir ?? 'none'}`);
    return { summary: { train: { stepsDone: result.stepsDone, firstEval: first, lastEval: last, emaModel: result.emaModelFile, checkpoint: result.checkpointDir } } };
  },
});
