/**
 * Batched products without transposeA/transposeB (slow on wasm). Two strategies:
 * - 'batched':   one 3-D tf.matMul over [G, n, k]·[G, k, m];
 * - 'unstacked': G plain 2-D matMuls on slices, then stack.
 * Callers transpose explicitly before calling (e.g. kᵀ with tf.transpose(k, [0, 2, 1])).
 */
import * as tf from '@tensorflow/tfjs-core';

/** How a batch of matrix products is computed. */
export type BatchedMatMulStrategy = 'batched' | 'unstacked';

/** a [G, n, k] · b [G, k, m] → [G, n, m] with plain (non-transposed) products. */
export function batchedMatMul(a: tf.Tensor, b: tf.Tensor, strategy: BatchedMatMulStrategy): tf.Tensor {
  if (strategy === 'batched') return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D);
  return tf.tidy(() => {
    const as = tf.unstack(a); // G × [n, k]
    const bs = tf.unstack(b); // G × [k, m]
    return tf.stack(as.map((ai, i) => tf.matMul(ai as tf.Tensor2D, bs[i] as tf.Tensor2D))); // [G, n, m]
  });
}

/** [G, n, m] → [G, m, n] */
export function transposeLast2(x: tf.Tensor): tf.Tensor {
  return tf.transpose(x, [0, 2, 1]);
}
