/**
 * What SimVQ and plain VQ share once each has its nearest codes q `[M, e]`: the input projection `quant_in`, the
 * VQ losses with the straight-through estimator, code lookup, and the hand-off of the int32 indices out of a custom op.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, linear, stopGradient, straightThrough } from '@vqrae/nn';
import type { QuantizeResult } from './quantizer.js';

/** Keys of the input projection d→e, the same for every quantizer kind. */
export const QUANT_IN_KEYS = { inWeight: 'quant_in.weight', inBias: 'quant_in.bias' } as const;

/** z = quant_in(Z_I): `[B, N, d]` → `[B·N, e]`; throws naming `who` when d is not `inputWidth`. */
export function projectIn(store: ParamStore, features: tf.Tensor3D, inputWidth: number, who: string): tf.Tensor2D {
  const [b, n, d] = features.shape;
  if (d !== inputWidth) throw new Error(`${who}: expected features [B, N, ${inputWidth}], got [${features.shape.join(', ')}]`);
  return linear(tf.reshape(features, [b * n, d]), store.get(QUANT_IN_KEYS.inWeight), store.get(QUANT_IN_KEYS.inBias)) as tf.Tensor2D; // [M, e]
}

/**
 * The quantizer outputs from z `[M, e]`, its codes q `[M, e]` and their indices `[M]`: losses
 * β·‖sg(q)−z‖² (commitment) + ‖q−sg(z)‖² (codebook), the straight-through quantized `[B, N, e]` and code counts `[k]`.
 * Call inside the caller's `tf.tidy`.
 */
export function quantizeOutputs(z: tf.Tensor2D, q: tf.Tensor, flatIndices: tf.Tensor1D, shape: { b: number; n: number; e: number; k: number; beta: number }): QuantizeResult {
  const { b, n, e, k, beta } = shape;
  const commitment = tf.mean(tf.square(tf.sub(stopGradient(q), z))) as tf.Scalar;
  const codebookLoss = tf.mean(tf.square(tf.sub(q, stopGradient(z)))) as tf.Scalar;
  const total = tf.add(tf.mul(commitment, beta), codebookLoss) as tf.Scalar;
  return {
    quantized: tf.reshape(straightThrough(z, q), [b, n, e]) as tf.Tensor3D, // [B, N, e]
    projected: tf.reshape(z, [b, n, e]) as tf.Tensor3D,
    indices: tf.reshape(flatIndices, [b, n]) as tf.Tensor2D,
    losses: { commitment, codebook: codebookLoss, total },
    codeCounts: tf.cast(tf.bincount(flatIndices, tf.tensor1d([], 'float32'), k), 'int32') as tf.Tensor1D,
  };
}

/** Rows of `codebook` `[k, e]` for int32 indices of any shape `[...]` → `[..., e]`; out-of-range indices throw naming `who`. */
export function lookupCodes(codebook: tf.Tensor2D, indices: tf.Tensor, who: string): tf.Tensor {
  const [k, e] = codebook.shape;
  if (indices.dtype !== 'int32') throw new Error(`${who}.lookup: indices must be int32, got ${indices.dtype}`);
  return tf.tidy(() => {
    const flat = tf.reshape(indices, [-1]);
    const range = tf.logicalAnd(tf.greaterEqual(flat, 0), tf.less(flat, k));
    if (!tf.all(range).dataSync()[0]) throw new Error(`${who}.lookup: indices out of range [0, ${k})`);
    return tf.reshape(tf.gather(codebook, flat), [...indices.shape, e]);
  });
}

/**
 * Carries the int32 indices a custom op computed out of it (they must never enter the tape): the op calls `keep`,
 * the caller `take`s them once, as a tensor tracked by the caller's scope.
 */
export function indicesHandOff(who: string): { keep: (indices: tf.Tensor1D) => void; take: () => tf.Tensor1D } {
  let kept: tf.Tensor1D | null = null;
  return {
    keep: (indices) => {
      kept = tf.keep(indices);
    },
    take: () => {
      if (kept === null) throw new Error(`${who}: indices requested before the code search ran`);
      const original = kept;
      kept = null;
      const owned = tf.clone(original); // tracked by the caller's scope, unlike the kept original
      original.dispose();
      return owned;
    },
  };
}
