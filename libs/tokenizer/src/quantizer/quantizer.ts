/**
 * The quantizer interface shared by SimVQ (`simvq.ts`) and the plain learnable-codebook VQ (`vq.ts`): the model, the
 * stages, checkpoints and the training parts only use this, so the variant is a config choice (`quantizer.kind`).
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore, Rng } from '@vqrae/nn';
import type { QuantizerConfig } from '../config/types.js';
import type { NearestCodeOptions } from './nearest-code.js';

/** Quantizer variants (`QuantizerConfig.kind`; absent = 'simvq'). */
export type QuantizerKind = NonNullable<QuantizerConfig['kind']>;

/** Named loss terms (means over all B·N·e elements). */
export type QuantizerLosses = {
  /** mean((sg(q) − z)²): trains `quant_in` (and the encoder in stage 2). */
  readonly commitment: tf.Scalar;
  /** mean((q − sg(z))²): trains the codes (SimVQ: W, b; VQ: the codebook rows that were used). */
  readonly codebook: tf.Scalar;
  /** β·commitment + codebook. */
  readonly total: tf.Scalar;
};

/** Result of `Quantizer.quantize`; the caller owns every tensor in it. */
export type QuantizeResult = {
  /** Straight-through codes q_st = z + sg(q − z), `[B, N, e]` (value q, gradient to z). */
  readonly quantized: tf.Tensor3D;
  /** Projected input z = quant_in(Z_I), `[B, N, e]`. */
  readonly projected: tf.Tensor3D;
  /** Code indices, int32 `[B, N]`. */
  readonly indices: tf.Tensor2D;
  readonly losses: QuantizerLosses;
  /** Tokens per code in this batch, int32 `[k]`. */
  readonly codeCounts: tf.Tensor1D;
};

/**
 * A quantizer bound to its config: quant_in d→e, then the nearest of k codes of width e. Parameters live in the
 * caller's ParamStore under checkpoint names and are read at every call; the quantizer itself only owns caches.
 */
export interface Quantizer {
  readonly kind: QuantizerKind;
  readonly config: QuantizerConfig;
  /** Encoder width d (input of quant_in). */
  readonly inputWidth: number;
  readonly search: NearestCodeOptions;
  /** Expected parameter names → shapes. */
  paramShapes(): Record<string, number[]>;
  /** Parameters that are never trainable, in any stage (SimVQ: the codebook C; VQ: none). */
  frozenParamNames(): readonly string[];
  /** Adds seeded initial parameters to `store`. */
  initParams(store: ParamStore, rng: Rng): void;
  /** Training forward: Z_I `[B, N, d]` → codes, indices, named losses and counts (differentiable; drops caches). */
  quantize(store: ParamStore, features: tf.Tensor3D): QuantizeResult;
  /** Nearest-code indices int32 `[B, N]` for Z_I `[B, N, d]` (inference; cached codebook). */
  indicesFor(store: ParamStore, features: tf.Tensor3D): tf.Tensor2D;
  /** Codes for int32 indices of any shape `[...]` → `[..., e]` (inference; throws on indices outside [0, k)). */
  lookup(store: ParamStore, indices: tf.Tensor): tf.Tensor;
  /**
   * The codebook the search runs against, `[k, e]` (SimVQ: C' = C·Wᵀ + b; VQ: C itself). Not owned by the caller
   * (the quantizer's cache or the store holds it).
   */
  projectedCodebook(store: ParamStore): tf.Tensor2D;
  /** Drops caches (call after changing parameters other than through `quantize`). */
  invalidateCache(): void;
  /** Releases caches (parameters belong to the store). */
  dispose(): void;
}
