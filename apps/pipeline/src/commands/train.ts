import type { Graph } from '@vqrae/graph';
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
  InitRefusedError,
  QuantizerOverrideError,
  runTrainJob,
  summaryOrThrow,
  TRAIN_SETTING_CHOICES,
  trainConfigFor,
  TrainSettingsError,
  type GivenSettings,
  type TrainSettings,
} from '@vqrae/train';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { DECODE_MODE_FAST_DEFAULT, decodeModeOf } from './decode-mode-option.js';

/** The quantizer factors of a stage-1 run (the ablation grid's cells; `vqrae ablate` takes lists instead). */
const QUANTIZER_OPTIONS = {
  quantizer: stringOption({ description: "stage 1: quantizer variant (default the preset's, SimVQ); 'vq' = plain learnable codebook", choices: TRAIN_SETTING_CHOICES.quantizer }),
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
  pixelLoss: stringOption({ description: 'pixel reconstruction loss', choices: TRAIN_SETTING_CHOICES.pixelLoss }),
  ssimWeight: numberOption({ description: 'weight of a structural term 1 − SSIM added to the pixel loss (not in the paper; default 0 = off)', min: 0 }),
  distill: numberOption({ description: 'stage 2: distillation weight λ_D (0 = logged but not optimised)', min: 0 }),
  perceptual: stringOption({ description: "perceptual term: 'lpips' (needs --lpips-weights), 'enc-perceptual' (substitute on the frozen encoder's features, not LPIPS) or 'off'", choices: TRAIN_SETTING_CHOICES.perceptual }),
  perceptualWeight: numberOption({ description: 'weight λ_P of the perceptual term (default: lpips 1, enc-perceptual 0.1)', min: 0 }),
  lpipsWeights: pathOption({ description: 'LPIPS VGG16 + v0.1 heads as safetensors (tools/convert/lpips_to_safetensors.py)', placeholder: '<file>' }),
  ganWeight: numberOption({ description: 'λ_G of the adversarial term (× adaptive weight); 0 = no GAN, no discriminator', min: 0 }),
  ganDStart: numberOption({ description: 'fraction of the steps after which the discriminator trains', min: 0, max: 1 }),
  ganGStart: numberOption({ description: 'fraction of the steps after which the adversarial term enters the loss', min: 0, max: 1 }),
  ganAdaptiveEvery: intOption({ description: 'recompute the adaptive GAN weight every N steps', min: 1 }),
  discKernel: intOption({ description: 'kernel of the discriminator heads (odd; default 9 with --dino-weights)', min: 1 }),
  dinoWeights: pathOption({ description: "DINO ViT-S/8 as safetensors (tools/convert/dino_to_safetensors.py): the heads look at DINO ('DINO-disc', RAE) instead of the frozen encoder ('E_T-disc')", placeholder: '<file>' }),
  onError: stringOption({ description: "undecodable training images: 'throw' (stop, naming shard and key) or 'skip' (count and log)", choices: TRAIN_SETTING_CHOICES.onError }),
  decodeMode: DECODE_MODE_FAST_DEFAULT,
  cropScaleMin: numberOption({ description: 'random-resized crop: smallest area fraction', min: 0.01, max: 1 }),
  checkpointEvery: intOption({ description: 'write a checkpoint every N steps (and at the end)', min: 0 }),
  previewEvery: intOption({ description: 'write a reconstruction preview grid every N steps', min: 0 }),
  evalEvery: intOption({ description: 'evaluate on --eval-data every N steps (and at the start and end)', min: 0 }),
  evalImages: intOption({ description: 'held-out images to evaluate on', min: 1 }),
  maxMinutes: numberOption({ description: 'stop (with final checkpoint and evaluation) after this many minutes', min: 0 }),
  ...REMOTE_SHARD_OPTIONS,
} as const;

/** Resolved `vqrae train` flags. */
export type TrainFlags = ResolvedOptions<typeof TRAIN_OPTIONS & typeof QUANTIZER_OPTIONS & typeof COMMON_OPTIONS>;

/** The flags as the library's settings (the parser already checked the choices; the library checks them again). */
export function trainSettingsOf(o: Partial<TrainFlags>): TrainSettings {
  return { ...(o as unknown as TrainSettings), decodeMode: o.decodeMode === undefined ? undefined : decodeModeOf(o.decodeMode) };
}

/** The options the user stated: on the command line, in --config, or by code invoking the command as a function. */
export function givenOptions(sources: Readonly<Record<string, ValueSource>>): GivenSettings {
  return new Set(Object.keys(sources).filter((key) => sources[key] !== 'default'));
}

/** The library's refusals are usage errors here (exit 2, the message as the library words it). */
export function trainUsage(error: unknown): unknown {
  const refused = error instanceof TrainSettingsError || error instanceof InitRefusedError || error instanceof QuantizerOverrideError;
  return refused ? new UsageError(error.message) : error;
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
    // Everything that can refuse the job is checked before the model is built (a refusal leaves the folder as it was).
    const { config, resumed } = await trainConfigFor(trainSettingsOf(o), runDir, { given: givenOptions(ctx.sources) }).catch((error: unknown) => {
      throw trainUsage(error);
    });
    if (resumed !== null) {
      const changed = resumed.changes.length > 0 ? `changed by flags: ${resumed.changes.join(', ')}` : 'no flag changes any of them';
      ctx.log.info(`train --resume: settings of the run saved in ${path.join(resumed.checkpointDir, 'state.json')}; ${changed}`);
    }
    const { preset, stage } = config;
    // options → the training graph from @vqrae/train → ctx.runGraph (graph.txt, progress, Ctrl-C, --dry-run).
    // A refused --init checkpoint (other preset or codebook) is found while the job builds its model: a usage error.
    const host = { log: ctx.log, remote: remoteShardOptions(o, ctx.log), runGraph: async (graph: Graph) => summaryOrThrow('train', await ctx.runGraph('train', graph)) };
    const result = await runTrainJob(config, host).catch((error: unknown) => {
      throw trainUsage(error);
    });
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
