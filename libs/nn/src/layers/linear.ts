/**
 * Linear layer y = x·Wᵀ + b with PyTorch weight layout [out, in], fast on the wasm backend.
 *
 * wasm's plain 2-D matMul runs ~27 GFLOPS while the transposeA/transposeB variants run 0.6–2 GFLOPS (ECOSYSTEM.md),
 * and tf.matMul's built-in gradient uses those transposed variants. So the forward transposes W explicitly and the
 * custom gradient transposes dy explicitly; every product is a plain 2-D matMul:
 *   y  = x · transpose(W)            [M, in]·[in, out]
 *   dx = dy · W                      [M, out]·[out, in]
 *   dW = transpose(dy) · x           [out, M]·[M, in]
 *   db = Σ_M dy
 * Each gradient is computed only when the tape needs it (frozen weights, non-differentiated inputs: see custom-op.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp } from './custom-op.js';

/** Weights of one Linear layer (PyTorch layout). */
export interface LinearParams {
  /** [out, in] */
  readonly weight: tf.Tensor;
  /** [out] */
  readonly bias?: tf.Tensor;
}

/** Options of `linear`. */
export interface LinearOptions {
  /**
   * Treat weight and bias as constants even if they are being differentiated (they get no gradient; x still does).
   * Rarely needed: gradients are lazy, so weights that the tape does not differentiate (plain frozen tensors,
   * variables outside variableGrads' list) already cost nothing in the backward pass.
   */
  readonly frozen?: boolean;
}

/** Frozen variant: only x is an op input; W is saved for dx = dy·W. */
function frozenOp(w: tf.Tensor, b: tf.Tensor | undefined): (x2: tf.Tensor) => tf.Tensor {
  return defineCustomOp('linear(frozen)', 1, ([x2], save) => {
    save([w]);
    const y = tf.matMul(x2, tf.transpose(w)); // [M, out]
    return {
      value: b === undefined ? y : tf.add(y, b),
      gradFunc: (dy, [ws]) => [() => tf.matMul(dy, ws)], // [M, in]
    };
  });
}

const linearWithBias = defineCustomOp('linear', 3, ([x2, w, b], save) => {
  save([x2, w]);
  const wt = tf.transpose(w); // [in, out]
  return {
    value: tf.add(tf.matMul(x2, wt), b), // [M, out]
    gradFunc: (dy, [xs, ws]) => [
      () => tf.matMul(dy, ws), // [M, in]
      () => tf.matMul(tf.transpose(dy), xs), // [out, in]
      () => tf.sum(dy, 0), // [out]
    ],
  };
});

const linearNoBias = defineCustomOp('linear', 2, ([x2, w], save) => {
  save([x2, w]);
  return {
    value: tf.matMul(x2, tf.transpose(w)), // [M, out]
    gradFunc: (dy, [xs, ws]) => [() => tf.matMul(dy, ws), () => tf.matMul(tf.transpose(dy), xs)],
  };
});

/**
 * y = x·Wᵀ + b for x of shape [..., in] (any number of leading dims, or rank 1); returns [..., out] (caller owns).
 */
export function linear(x: tf.Tensor, weight: tf.Tensor, bias?: tf.Tensor, opts: LinearOptions = {}): tf.Tensor {
  if (weight.rank !== 2) throw new Error(`linear: weight must be [out, in], got [${weight.shape.join(', ')}]`);
  const [outFeatures, inFeatures] = weight.shape;
  const inner = x.shape[x.rank - 1];
  if (x.rank < 1 || inner !== inFeatures) {
    throw new Error(`linear: input [${x.shape.join(', ')}] does not end with in=${inFeatures} (weight [${outFeatures}, ${inFeatures}])`);
  }
  if (bias !== undefined && (bias.rank !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(`linear: bias must be [${outFeatures}], got [${bias.shape.join(', ')}]`);
  }
  const leading = x.shape.slice(0, -1);
  return tf.tidy(() => {
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, inFeatures]); // [M, in]
    const y2 = opts.frozen
      ? frozenOp(weight, bias)(x2)
      : bias === undefined
        ? linearNoBias(x2, weight)
        : linearWithBias(x2, weight, bias); // [M, out]
    return x.rank === 2 ? y2 : tf.reshape(y2, [...leading, outFeatures]); // [..., out]
  });
}

/** `linear` with a LinearParams record. */
export function applyLinear(x: tf.Tensor, params: LinearParams, opts: LinearOptions = {}): tf.Tensor {
  return linear(x, params.weight, params.bias, opts);
}
