import type { DecodeMode } from '@vqrae/data';
import type { QuantizerOverride } from './quantizer-override.js';

/** Everything `vqrae train` resolves from flags, a config file and preset defaults (saved as config.json). */
export interface TrainJobConfig {
  readonly preset: string;
  readonly stage: 1 | 2;
  /** Training shard spec. */
  readonly data: string;
  /** Held-out shard spec for evaluations and previews (null: no evaluation). */
  readonly evalData: string | null;
  /** Run folder. */
  readonly out: string;
  /** Stage 2: stage-1 checkpoint folder, run folder or model .safetensors. */
  readonly from: string | null;
  /** Stage 1 fine-tuning: starting weights from this checkpoint of the same preset and codebook; absent/null = fresh init. */
  readonly init?: string | null;
  readonly resume: boolean;
  /**
   * Stage 1: quantizer factors differing from the preset (`--quantizer`, `--codebook-size`, `--codebook-dim`), applied
   * to a fresh model; a checkpoint the run starts from must match them. Absent/null = the preset's quantizer (and
   * config.json as before the setting existed).
   */
  readonly quantizer?: QuantizerOverride | null;
  readonly steps: number;
  readonly batch: number;
  readonly accumulate: number;
  readonly lr: number;
  readonly finalLr: number;
  /** Stage 2: encoder learning rate (peak) and its cosine end point. */
  readonly encoderLr: number;
  readonly encoderFinalLr: number;
  readonly warmupSteps: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly weightDecay: number;
  readonly emaDecay: number;
  /** EMA decay warm-up min(decay, (1+t)/(10+t)) (see TrainerConfig.emaWarmup). */
  readonly emaWarmup: boolean;
  /** null: no clipping. */
  readonly clipGradNorm: number | null;
  readonly seed: number;
  readonly pixelLoss: 'l2' | 'l1';
  /**
   * Weight of the structural term 1 − SSIM (torchmetrics variant) added to L_rec; 0 = off (the paper's recipe). Not
   * in the paper: a cheap structure term for CPU runs without LPIPS weights (the shipped small-cpu uses it).
   */
  readonly ssimWeight: number;
  /** λ_D of the stage-2 distillation (0 = off but still logged). */
  readonly distillWeight: number;
  /**
   * Perceptual term of L_rec (spec §7.1, §8.6): `lpips` needs `lpipsWeights` (converted VGG16 + v0.1 heads);
   * `enc-perceptual` is the honest substitute on the frozen encoder's own intermediate features; `off`.
   */
  readonly perceptual: 'off' | 'enc-perceptual' | 'lpips';
  readonly perceptualWeight: number;
  /** Safetensors from tools/convert/lpips_to_safetensors.py (null: none supplied). */
  readonly lpipsWeights: string | null;
  /** λ_G of the adversarial G term (spec §7.1: 0.75·a); 0 = no GAN and no discriminator. */
  readonly ganWeight: number;
  /** Fractions of the stage's steps at which D updates and the G term start (RAE 0.375 and 0.5). */
  readonly ganDStart: number;
  readonly ganGStart: number;
  /** Recompute the adaptive weight a every n G-active steps (1 = RAE; larger saves two backward passes per step). */
  readonly ganAdaptiveEvery: number;
  /** Kernel of the discriminator heads' residual conv (RAE 9; tiny 3). */
  readonly discKernel: number;
  /**
   * Backbone of the discriminator heads: `encoder` = the frozen encoder's own taps (`E_T-disc`, the honest
   * substitute), `dino` = a supplied DINO ViT-S/8 (`DINO-disc`, RAE's design; needs `dinoWeights`).
   */
  readonly discBackbone: 'encoder' | 'dino';
  /** Safetensors from tools/convert/dino_to_safetensors.py (null: none supplied). */
  readonly dinoWeights: string | null;
  /** Undecodable training images: stop (`throw`, default) or count, log and skip them (`skip`; resume stays exact). */
  readonly onError: 'throw' | 'skip';
  /**
   * Training image decode (`--decode-mode`): `fast` (default) decodes large JPEG/WebP at reduced scale before the
   * random-resized crop, within `FAST_DECODE_CONTRACT` of `exact`; `exact` decodes every image in full (runs saved
   * before this setting existed resume as `exact`).
   */
  readonly decodeMode: DecodeMode;
  readonly cropScaleMin: number;
  readonly shuffleBuffer: number;
  readonly checkpointEvery: number;
  readonly keepCheckpoints: number;
  readonly previewEvery: number;
  readonly evalEvery: number;
  readonly evalImages: number;
  /** Stop early (final checkpoint and evaluation still happen) after this many minutes; null = no limit. */
  readonly maxMinutes: number | null;
  /** Stop after this optimizer step although the schedule runs to `steps` (resume later with --resume); null = no. */
  readonly stopAfterStep: number | null;
}

/**
 * λ_P by perceptual kind: LPIPS 1.0 (RAE). enc-perceptual 0.1: its value is ~10× LPIPS's (three unweighted layers of
 * channel-summed distances, ~2.5 early in small-cpu training, vs LPIPS ~0.1–0.5), and at 1.0 its gradient through the
 * straight-through estimator collapsed the codebook on small-cpu (60 steps: utilisation 2.8%, perplexity 1.3, PSNR
 * 9.2 dB) where 0.1 trained well (51.4%, 107.7, 12.9 dB); see the issue-6 closing note.
 */
export function defaultPerceptualWeight(kind: TrainJobConfig['perceptual']): number {
  return kind === 'enc-perceptual' ? 0.1 : 1;
}

/** Per-preset training defaults (spec §7.8 tiny recipe; small-cpu: the same recipe at 224 px, smaller batch). */
export function trainDefaults(preset: string, stage: 1 | 2): Omit<TrainJobConfig, 'preset' | 'stage' | 'data' | 'evalData' | 'out' | 'from' | 'resume'> {
  const tiny = preset === 'tiny';
  const steps = stage === 1 ? (tiny ? 2000 : 300) : tiny ? 1000 : 150;
  return {
    steps,
    // small-cpu back-propagates through MobileNetV2 (stage 2: the encoder; both stages: enc-perceptual and the GAN
    // term on x̂): batch 8 needs > 4 GB of wasm heap, so it runs 2 micro-batches of 4 per step (same effective batch).
    batch: tiny ? 16 : 4,
    accumulate: tiny ? 1 : 2,
    lr: 1e-3,
    finalLr: 1e-4,
    encoderLr: 1e-4,
    encoderFinalLr: 1e-5,
    // Stage 2 restarts a short warm-up (spec §7.10: ~5% of the stage-2 steps).
    warmupSteps: stage === 1 ? Math.min(100, Math.round(steps * 0.05) || 1) : Math.max(1, Math.round(steps * 0.05)),
    beta1: 0.9,
    beta2: 0.95,
    weightDecay: 0,
    emaDecay: tiny ? 0.999 : 0.99,
    emaWarmup: true,
    clipGradNorm: null,
    seed: 0,
    pixelLoss: 'l2',
    ssimWeight: 0,
    distillWeight: 1,
    // Spec §11: tiny trains pixel + VQ only; larger presets add the encoder-feature perceptual substitute (LPIPS when
    // its weights are supplied) and the E_T-disc GAN with RAE's schedule.
    perceptual: tiny ? 'off' : 'enc-perceptual',
    perceptualWeight: defaultPerceptualWeight(tiny ? 'off' : 'enc-perceptual'),
    lpipsWeights: null,
    ganWeight: tiny ? 0 : 0.75,
    // RAE's delays let the decoder learn before the GAN; stage 2 continues with the stage-1 heads (spec §7.10) and
    // keeps L_rec unchanged (§7.2), so D and the G term are on from its first step.
    ganDStart: stage === 1 ? 0.375 : 0,
    ganGStart: stage === 1 ? 0.5 : 0,
    // RAE recomputes a every step (two extra backward passes through decoder and backbone); on the CPU preset every
    // 5th G step, which keeps a G step at ~1.5× rather than ~2× the cost of one without a.
    ganAdaptiveEvery: preset === 'small-cpu' ? 5 : 1,
    // RAE's k = 9 on 784-token DINO maps; tiny's maps have 64 tokens and small-cpu's deepest has 576 channels
    // (k = 9 there alone is 3 M parameters per head, more than the whole trainable tokenizer), so both use k = 3.
    discKernel: preset === 'tiny' || preset === 'small-cpu' ? 3 : 9,
    discBackbone: 'encoder',
    dinoWeights: null,
    onError: 'throw',
    decodeMode: 'fast',
    cropScaleMin: 0.35,
    shuffleBuffer: 256,
    checkpointEvery: tiny ? 500 : 100,
    keepCheckpoints: 2,
    previewEvery: tiny ? 500 : 50,
    evalEvery: tiny ? 250 : 50,
    evalImages: tiny ? 64 : 16,
    maxMinutes: null,
    stopAfterStep: null,
  };
}
