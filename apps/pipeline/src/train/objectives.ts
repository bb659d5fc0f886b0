import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import { composeLosses, createDefaultLossRegistry, type Loss, type LossOutput } from '@vqrae/losses';
import type { ObjectiveOutput, TrainObjective } from './types.js';

/**
 * The three model calls a VQRAE training step needs, each reading its weights from the store it is given (the
 * live weights, the EMA copy or the frozen teacher). Implemented over @vqrae/tokenizer in tokenizer-parts.ts.
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
  /** codes [B, N, e] → pixel01 reconstruction [B, S, S, 3] (not clamped). */
  decode(store: ParamStore, quantized: tf.Tensor3D): tf.Tensor4D;
  readonly codebookSize: number;
}

/** Loss weights of a stage (spec §7.1–7.2); `distill` only in stage 2. */
export interface ObjectiveWeights {
  readonly pixel: { readonly kind: 'l2' | 'l1'; readonly weight: number };
  readonly vq: number;
  readonly distill?: number;
}

function pixelAndVq(
  parts: TokenizerParts,
  store: ParamStore,
  losses: { pixel: Loss; vq: Loss },
  images: tf.Tensor4D,
  features: tf.Tensor3D,
): { outputs: Record<string, LossOutput>; codeCounts: tf.Tensor1D; reconstruction: tf.Tensor4D } {
  const quantized = parts.quantize(store, features);
  const reconstruction = parts.decode(store, quantized.quantized); // [B, S, S, 3]
  const pixel = losses.pixel.compute({ reconstruction01: reconstruction, target01: images });
  const vq = losses.vq.compute({
    reconstruction01: reconstruction,
    target01: images,
    quantizerTerms: { commitment: quantized.losses.commitment, codebook: quantized.losses.codebook },
  });
  return { outputs: { [losses.pixel.name]: pixel, [losses.vq.name]: vq }, codeCounts: quantized.codeCounts, reconstruction };
}

/**
 * Stage 1 (spec §7.1, GAN off): encoder frozen, so Z_I is computed in `prepare`, outside the tape (nothing reaches
 * E, and the tape does not hold the encoder's activations). L = w_pix·L_pix + w_vq·L_vq.
 */
export function stage1Objective(parts: TokenizerParts, store: ParamStore, weights: ObjectiveWeights): TrainObjective {
  const registry = createDefaultLossRegistry();
  const pixel = registry.create(weights.pixel.kind, {});
  const vq = registry.create('vq', {});
  return {
    name: `stage1(${pixel.describe()} × ${weights.pixel.weight} + ${vq.describe()} × ${weights.vq})`,
    codebookSize: parts.codebookSize,
    prepare: (images) => ({ features: parts.encode(store, images) }),
    forward(images, prepared): ObjectiveOutput {
      const features = prepared['features'] as tf.Tensor3D;
      const { outputs, codeCounts } = pixelAndVq(parts, store, { pixel, vq }, images, features);
      const composed = composeLosses(outputs, { [pixel.name]: weights.pixel.weight, [vq.name]: weights.vq });
      return { total: composed.total, terms: composed.unweighted, codeCounts };
    },
  };
}

/**
 * Stage 2 (spec §7.2, §7.9): the teacher's Z_T = E_T(x) is computed in `prepare` (outside the tape, from the frozen
 * teacher store); the student encoder runs on the tape. L = w_pix·L_pix + w_vq·L_vq + λ_D·mean((Z_I − sg(Z_T))²).
 * With λ_D = 0 the distillation term is still computed and logged (it then measures the drift) but adds nothing.
 */
export function stage2Objective(
  parts: TokenizerParts,
  store: ParamStore,
  teacher: ParamStore,
  weights: ObjectiveWeights,
): TrainObjective {
  const registry = createDefaultLossRegistry();
  const pixel = registry.create(weights.pixel.kind, {});
  const vq = registry.create('vq', {});
  const distill = registry.create('distill', {});
  const lambda = weights.distill ?? 1;
  return {
    name: `stage2(${pixel.describe()} × ${weights.pixel.weight} + ${vq.describe()} × ${weights.vq} + ${distill.describe()} × ${lambda})`,
    codebookSize: parts.codebookSize,
    prepare: (images) => ({ teacher: parts.encode(teacher, images) }),
    forward(images, prepared): ObjectiveOutput {
      const student = parts.encode(store, images); // [B, N, d] on the tape
      const { outputs, codeCounts, reconstruction } = pixelAndVq(parts, store, { pixel, vq }, images, student);
      outputs[distill.name] = distill.compute({
        reconstruction01: reconstruction,
        target01: images,
        studentFeatures: student, teacherFeatures: prepared['teacher'] as tf.Tensor,
      });
      const composed = composeLosses(outputs, {
        [pixel.name]: weights.pixel.weight,
        [vq.name]: weights.vq,
        [distill.name]: lambda,
      });
      return { total: composed.total, terms: composed.unweighted, codeCounts };
    },
  };
}
