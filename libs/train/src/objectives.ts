import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import {
  adaptiveGanWeight,
  composeLosses,
  createDefaultLossRegistry,
  generatorTermKey,
  type FeaturePyramid,
  type Loss,
  type LossOutput,
} from '@vqrae/losses';
import type { Adversary } from './adversary.js';
import type { ObjectiveOutput, TrainObjective } from './types.js';

/**
 * The three model calls a VQRAE training step needs, each reading its weights from the store it is given (the
 * live weights, the EMA copy or the frozen teacher). Implemented over @vqrae/tokenizer in model-factory.ts.
 */
export interface TokenizerParts {
  /** pixel01 [B, S, S, 3] → Z_I [B, N, d]. */
  encode(store: ParamStore, images01: tf.Tensor4D): tf.Tensor3D;
  /** Z_I → straight-through codes [B, N, e], indices [B, N], raw loss terms, code counts [k]. */
  quantize(
    store: ParamStore,
    features: tf.Tensor3D,
  ): {
    quantized: tf.Tensor3D;
    indices: tf.Tensor2D;
    losses: { commitment: tf.Scalar; codebook: tf.Scalar };
    codeCounts: tf.Tensor1D;
  };
  /**
   * One encoder pass giving Z [B, N, d] (as `encode`) and the intermediate features at `taps` (one [B, N_l, C_l]
   * each, as `ImageEncoder.features`). Caller owns all.
   */
  encodeWithTaps(store: ParamStore, images01: tf.Tensor4D, taps: readonly string[]): { features: tf.Tensor3D; taps: tf.Tensor3D[] };
  /** codes [B, N, e] → pixel01 reconstruction [B, S, S, 3] (not clamped). */
  decode(store: ParamStore, quantized: tf.Tensor3D): tf.Tensor4D;
  readonly codebookSize: number;
  /** Checkpoint key of the decoder's last linear weight (`decoder.decoder_pred.weight`), for the adaptive GAN weight. */
  readonly lastLayerKey: string;
}

/** The perceptual term of L_rec (spec §7.1): LPIPS from supplied weights, or the `enc-perceptual` substitute. */
export interface PerceptualSetup {
  readonly loss: Loss;
  readonly weight: number;
  /** enc-perceptual: the frozen pyramid, so the target's features are computed once, outside the gradient tape. */
  readonly targetPyramid?: FeaturePyramid;
  /**
   * Set when `targetPyramid` is the frozen encoder's own pyramid at these taps (stage 1: the model's frozen encoder;
   * stage 2: the teacher): `prepare` then gets Z (Z_I, resp. Z_T) and the target's taps from ONE encoder pass.
   */
  readonly encoderTaps?: readonly string[];
}

/** Loss weights of a stage (spec §7.1–7.2); `distill` only in stage 2. */
export interface ObjectiveWeights {
  readonly pixel: { readonly kind: 'l2' | 'l1'; readonly weight: number };
  /** Weight of the structural term 1 − SSIM on pixel01 (0 or absent: off). */
  readonly ssim?: number;
  readonly vq: number;
  readonly distill?: number;
  readonly perceptual?: PerceptualSetup | null;
}

/** Extra (non-loss) values logged on adversarial steps. */
export const GAN_TERMS = {
  adaptiveWeight: 'gan.adaptive_weight',
  reconstructionGradNorm: 'gan.rec_grad_norm',
  generatorGradNorm: 'gan.g_grad_norm',
} as const;

interface ObjectiveSetup {
  readonly parts: TokenizerParts;
  readonly store: ParamStore;
  /** Stage 2: the frozen teacher encoder's store (Z_T); null in stage 1 (the encoder itself is frozen). */
  readonly teacher: ParamStore | null;
  readonly weights: ObjectiveWeights;
  readonly adversary: Adversary | null;
}

const TARGET_FEATURE = 'perceptual-target.';

/**
 * The VQRAE objective of one stage (spec §7.1, §7.2, §7.9 steps 1–3):
 *   L = w_pix·L_pix (+ w_S·(1 − SSIM)) + w_P·L_perc + λ_G·a·L_G (from the G start) + w_vq·L_vq (+ λ_D·L_distill in stage 2).
 * Stage 1: the encoder is frozen, so Z_I is computed in `prepare`, outside the tape (nothing reaches E). Stage 2: the
 * teacher's Z_T is computed in `prepare` and the student encoder runs on the tape; with λ_D = 0 the distillation
 * term is still computed and logged (it then measures the drift). The target's enc-perceptual features and the
 * adaptive weight a (two extra gradient calls restricted to decoder_pred.weight, every `adaptiveEvery` G steps) are
 * computed in `prepare` as well.
 */
function tokenizerObjective(setup: ObjectiveSetup, stage: 1 | 2): TrainObjective {
  const { parts, store, teacher, weights, adversary } = setup;
  const registry = createDefaultLossRegistry();
  const pixel = registry.create(weights.pixel.kind, {});
  const ssimWeight = weights.ssim ?? 0;
  if (!Number.isFinite(ssimWeight) || ssimWeight < 0) throw new Error(`train: the SSIM term's weight must be a finite number ≥ 0, got ${ssimWeight}`);
  const structural = ssimWeight > 0 ? registry.create('ssim', {}) : null;
  const vq = registry.create('vq', {});
  const distill = stage === 2 ? registry.create('distill', {}) : null;
  const lambdaDistill = weights.distill ?? 1;
  const perceptual = weights.perceptual ?? null;

  const studentFeatures = (images: tf.Tensor4D, prepared: Readonly<Record<string, tf.Tensor>>): tf.Tensor3D =>
    stage === 1 ? (prepared['features'] as tf.Tensor3D) : parts.encode(store, images);
  const targetPyramidOf = (prepared: Readonly<Record<string, tf.Tensor>>): tf.Tensor3D[] | undefined => {
    const keys = Object.keys(prepared).filter((k) => k.startsWith(TARGET_FEATURE)).sort();
    return keys.length > 0 ? keys.map((k) => prepared[k] as tf.Tensor3D) : undefined;
  };
  /** L_rec without the adversarial term, as loss outputs by name (pixel, perceptual). */
  const reconstructionOutputs = (reconstruction: tf.Tensor4D, images: tf.Tensor4D, prepared: Readonly<Record<string, tf.Tensor>>) => {
    const outputs: Record<string, LossOutput> = { [pixel.name]: pixel.compute({ reconstruction01: reconstruction, target01: images }) };
    const weightsByName: Record<string, number> = { [pixel.name]: weights.pixel.weight };
    if (structural) {
      outputs[structural.name] = structural.compute({ reconstruction01: reconstruction, target01: images });
      weightsByName[structural.name] = ssimWeight;
    }
    if (perceptual) {
      const targetPyramid = targetPyramidOf(prepared);
      outputs[perceptual.loss.name] = perceptual.loss.compute({ reconstruction01: reconstruction, target01: images, ...(targetPyramid ? { targetPyramid } : {}) });
      weightsByName[perceptual.loss.name] = perceptual.weight;
    }
    return { outputs, weightsByName };
  };

  const describe = [
    `${pixel.describe()} × ${weights.pixel.weight}`,
    ...(structural ? [`${structural.describe()} × ${ssimWeight}`] : []),
    ...(perceptual ? [`${perceptual.loss.describe()} × ${perceptual.weight}`] : []),
    ...(adversary && adversary.config.weight > 0 ? [`adversarial(${adversary.describe()})`] : []),
    `${vq.describe()} × ${weights.vq}`,
    ...(distill ? [`${distill.describe()} × ${lambdaDistill}`] : []),
  ].join(' + ');
  const optionalTerms = adversary && adversary.config.weight > 0
    ? [generatorTermKey({ discriminator: adversary.discriminator }), GAN_TERMS.adaptiveWeight, GAN_TERMS.reconstructionGradNorm, GAN_TERMS.generatorGradNorm]
    : [];

  const computeAdaptiveWeight = (images: tf.Tensor4D, prepared: Record<string, tf.Tensor>, step: number, micro: number) => {
    const lastLayer = store.trainableVariables().get(parts.lastLayerKey);
    if (lastLayer === undefined) throw new Error(`train: the adaptive GAN weight needs trainable '${parts.lastLayerKey}'`);
    const reconstructionOf = () => parts.decode(store, parts.quantize(store, studentFeatures(images, prepared)).quantized);
    const measured = adaptiveGanWeight(
      () => {
        const { outputs, weightsByName } = reconstructionOutputs(reconstructionOf(), images, prepared);
        return composeLosses(outputs, weightsByName).total;
      },
      () => adversary!.generatorLoss.compute({ reconstruction01: reconstructionOf(), target01: images, rng: adversary!.augmentRng('g', step, micro) }).total,
      lastLayer,
    );
    adversary!.recordAdaptiveWeight(step, measured.weight);
    return measured;
  };

  return {
    name: `stage${stage}(${describe})`,
    codebookSize: parts.codebookSize,
    optionalTerms,
    prepare(images, step, micro) {
      const prepared: Record<string, tf.Tensor> = {};
      // Stage 1: Z_I from the frozen encoder; stage 2: Z_T from the teacher (both outside the tape).
      const frozenStore = stage === 1 ? store : teacher!;
      const frozenKey = stage === 1 ? 'features' : 'teacher';
      const targetKey = (l: number) => `${TARGET_FEATURE}${String(l).padStart(3, '0')}`;
      if (perceptual?.encoderTaps) {
        const { features, taps } = parts.encodeWithTaps(frozenStore, images, perceptual.encoderTaps);
        prepared[frozenKey] = features;
        taps.forEach((tap, l) => (prepared[targetKey(l)] = tap));
      } else {
        prepared[frozenKey] = parts.encode(frozenStore, images);
        if (perceptual?.targetPyramid) {
          const pyramid = tf.tidy(() => perceptual.targetPyramid!(tf.sub(tf.mul(images, 2), 1) as tf.Tensor4D));
          pyramid.forEach((tap, l) => (prepared[targetKey(l)] = tap));
        }
      }
      if (adversary?.generatorActive(step) && adversary.needsAdaptiveWeight(step)) {
        const measured = computeAdaptiveWeight(images, prepared, step, micro);
        prepared[GAN_TERMS.reconstructionGradNorm] = tf.scalar(measured.reconstructionGradNorm);
        prepared[GAN_TERMS.generatorGradNorm] = tf.scalar(measured.generatorGradNorm);
      }
      return prepared;
    },
    forward(images, prepared, step, micro): ObjectiveOutput {
      const features = studentFeatures(images, prepared); // [B, N, d]
      const quantized = parts.quantize(store, features);
      const reconstruction = parts.decode(store, quantized.quantized); // [B, S, S, 3]
      const { outputs, weightsByName } = reconstructionOutputs(reconstruction, images, prepared);
      outputs[vq.name] = vq.compute({
        reconstruction01: reconstruction,
        target01: images,
        quantizerTerms: { commitment: quantized.losses.commitment, codebook: quantized.losses.codebook },
      });
      weightsByName[vq.name] = weights.vq;
      if (distill) {
        outputs[distill.name] = distill.compute({
          reconstruction01: reconstruction,
          target01: images,
          studentFeatures: features,
          teacherFeatures: prepared['teacher'] as tf.Tensor,
        });
        weightsByName[distill.name] = lambdaDistill;
      }
      const extra: Record<string, tf.Scalar> = {};
      if (adversary?.generatorActive(step)) {
        const a = adversary.adaptiveWeight();
        outputs[adversary.generatorLoss.name] = adversary.generatorLoss.compute({
          reconstruction01: reconstruction,
          target01: images,
          rng: adversary.augmentRng('g', step, micro),
        });
        weightsByName[adversary.generatorLoss.name] = adversary.config.weight * a;
        extra[GAN_TERMS.adaptiveWeight] = tf.scalar(a);
        for (const key of [GAN_TERMS.reconstructionGradNorm, GAN_TERMS.generatorGradNorm]) {
          if (prepared[key]) extra[key] = tf.clone(prepared[key]) as tf.Scalar;
        }
      }
      const composed = composeLosses(outputs, weightsByName);
      return { total: composed.total, terms: { ...composed.unweighted, ...extra }, codeCounts: quantized.codeCounts };
    },
    reconstruct(images) {
      return tf.tidy(() => parts.decode(store, parts.quantize(store, parts.encode(store, images)).quantized));
    },
  };
}

/** Stage 1 (spec §7.1): encoder frozen; pixel + optional perceptual + optional adversarial + VQ. */
export function stage1Objective(parts: TokenizerParts, store: ParamStore, weights: ObjectiveWeights, adversary: Adversary | null = null): TrainObjective {
  return tokenizerObjective({ parts, store, teacher: null, weights, adversary }, 1);
}

/** Stage 2 (spec §7.2): the stage-1 objective plus λ_D·mean((Z_I − sg(Z_T))²) with the frozen teacher E_T. */
export function stage2Objective(
  parts: TokenizerParts,
  store: ParamStore,
  teacher: ParamStore,
  weights: ObjectiveWeights,
  adversary: Adversary | null = null,
): TrainObjective {
  return tokenizerObjective({ parts, store, teacher, weights, adversary }, 2);
}
