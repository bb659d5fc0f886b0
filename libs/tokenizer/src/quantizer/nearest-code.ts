/**
 * L2 nearest-code search in row chunks (spec §4.2 steps 2-3) with bounded memory and a deterministic tie rule.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Default bound on one distance chunk: 2 Mi elements, i.e. 128 rows at k = 16384. A chunk holds about six
 * [rows, k] temporaries at once (scores, tie-rule mask and index candidates), so the search peaks near
 * 6 × 4 B × maxChunkElements ≈ 48 MiB above its inputs, whatever the number of rows.
 */
export const DEFAULT_MAX_CHUNK_ELEMENTS = 2 * 1024 * 1024;

/** Options of the nearest-code search. */
export interface NearestCodeOptions {
  /** Upper bound on rows × k of one distance chunk (memory bound). */
  readonly maxChunkElements?: number;
}

/**
 * Index of the nearest code (squared L2) for each row of `z`.
 *
 * - `z` `[M, e]`; `codesT` the projected codebook transposed, `[e, k]` (plain 2-D matMul is the fast form on wasm);
 *   `codeNorms` ‖C'_j‖² `[k]`.
 * - argmin_j ‖z_i − C'_j‖² = argmin_j (‖C'_j‖² − 2 z_i·C'_j): the row constant ‖z_i‖² is left out, which keeps more
 *   float32 precision in the differences that decide the argmin.
 * - Ties resolve to the smallest index (first minimum), computed explicitly so the rule does not depend on a
 *   backend's argMin implementation.
 * Returns int32 `[M]` (caller owns). Not differentiable; call it outside of taped code or through an op that stops
 * gradients (see `simvq.ts`).
 */
export function nearestCodeIndices(
  z: tf.Tensor2D,
  codesT: tf.Tensor2D,
  codeNorms: tf.Tensor1D,
  opts: NearestCodeOptions = {},
): tf.Tensor1D {
  const [rows, width] = z.shape;
  const [codeWidth, k] = codesT.shape;
  if (width !== codeWidth || codeNorms.shape[0] !== k) {
    throw new Error(`nearestCodeIndices: z [${z.shape.join(', ')}] does not match codebook [${codeWidth}, ${k}] / norms [${codeNorms.shape.join(', ')}]`);
  }
  const maxElements = opts.maxChunkElements ?? DEFAULT_MAX_CHUNK_ELEMENTS;
  const chunkRows = Math.max(1, Math.floor(maxElements / k));
  const parts: tf.Tensor1D[] = [];
  try {
    for (let start = 0; start < rows; start += chunkRows) {
      const size = Math.min(chunkRows, rows - start);
      parts.push(
        tf.tidy(() => {
          // Rows by gather, not slice: wasm's Slice copies its WHOLE input out of the heap on every call, which made
          // the chunk loop quadratic in M (8 slices of z [1024, 1536] cost 155 ms); Gather copies only the chunk.
          const zc = size === rows ? z : tf.gather(z, tf.range(start, start + size, 1, 'int32')); // [r, e]
          const scores = tf.add(tf.matMul(tf.mul(zc, -2), codesT), codeNorms); // ‖C'‖² − 2 z·C' [r, k]
          return firstArgMin(scores as tf.Tensor2D);
        }),
      );
    }
    return parts.length === 1 ? parts[0] : (tf.concat(parts, 0) as tf.Tensor1D);
  } finally {
    if (parts.length > 1) for (const part of parts) part.dispose();
  }
}

/**
 * Squared norms ‖C'_j‖² of the columns of the transposed codebook `codesT` `[e, k]` → `[k]` (caller owns).
 * ~0.5 s at 16384 × 1536 on wasm (a [1, e]·[e, k] product with ones was slower still), so callers cache it with C'ᵀ.
 */
export function codeNorms(codesT: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sum(tf.square(codesT), 0) as tf.Tensor1D); // [k]
}

/**
 * Row-wise argmin with the first-minimum tie rule: min value per row, then the smallest column index whose value
 * equals it. `[r, k]` → int32 `[r]`.
 *
 * "Equals the row minimum" is computed as `(s − min) > 0` → not a minimum: for finite floats s − min is exactly 0
 * only when s = min (gradual underflow), and −∞ − (−∞) = NaN also counts as a minimum. Written this way (float
 * subtraction broadcast over [r, 1], comparison with a scalar, int32 arithmetic broadcast over the last axis) because
 * on wasm a comparison broadcast over [r, 1] and a materialised [r, k] column index table each cost ~7× the
 * [128, 16384] score chunk's whole argmin (measured: equal/tile/where 360 ms vs 21 ms per chunk).
 * A row containing NaN scores has no defined answer.
 */
export function firstArgMin(scores: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [, k] = scores.shape;
    const rowMin = tf.min(scores, 1, true); // [r, 1]
    const aboveMin = tf.cast(tf.greater(tf.sub(scores, rowMin), 0), 'int32'); // 1 where s > row min [r, k]
    const candidates = tf.add(tf.mul(aboveMin, tf.scalar(k, 'int32')), tf.range(0, k, 1, 'int32')); // j at minima, j + k elsewhere [r, k]
    return tf.min(candidates, 1) as tf.Tensor1D; // [r]
  });
}
