/**
 * LayerNorm over the last axis with population variance (spec §1.4, §9.2) and a fused analytic backward:
 *   x̂ = (x − μ)·r,  r = 1/√(σ² + eps),  y = x̂·γ + β
 *   g = dy·γ;  dx = r·(g − mean(g) − x̂·mean(g·x̂));  dγ = Σ dy·x̂;  dβ = Σ dy
 * (The built-in op-by-op gradient of the same formula builds ~20 kernels; this one builds ~10.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp, type CustomOpResult, type SaveTensors } from './custom-op.js';

function normalise(x2: tf.Tensor, eps: number): { xhat: tf.Tensor; rstd: tf.Tensor } {
  const mean = tf.mean(x2, -1, true); // [M, 1]
  const centred = tf.sub(x2, mean); // [M, D]
  const variance = tf.mean(tf.square(centred), -1, true); // [M, 1]
  const rstd = tf.rsqrt(tf.add(variance, eps)); // [M, 1]
  return { xhat: tf.mul(centred, rstd), rstd };
}

function inputGradient(g: tf.Tensor, xhat: tf.Tensor, rstd: tf.Tensor): tf.Tensor {
  const meanG = tf.mean(g, -1, true); // [M, 1]
  const meanGX = tf.mean(tf.mul(g, xhat), -1, true); // [M, 1]
  return tf.mul(rstd, tf.sub(tf.sub(g, meanG), tf.mul(xhat, meanGX))); // [M, D]
}

function affineOp(eps: number) {
  return defineCustomOp('layerNorm', 3, ([x2, gamma, beta], save: SaveTensors): CustomOpResult => {
    const { xhat, rstd } = normalise(x2, eps);
    save([xhat, rstd, gamma]);
    return {
      value: tf.add(tf.mul(xhat, gamma), beta),
      gradFunc: (dy, [xh, rs, ga]) => [
        () => inputGradient(tf.mul(dy, ga), xh, rs),
        () => tf.sum(tf.mul(dy, xh), 0),
        () => tf.sum(dy, 0),
      ],
    };
  });
}

function scaleOnlyOp(eps: number) {
  return defineCustomOp('layerNorm', 2, ([x2, gamma], save: SaveTensors): CustomOpResult => {
    const { xhat, rstd } = normalise(x2, eps);
    save([xhat, rstd, gamma]);
    return {
      value: tf.mul(xhat, gamma),
      gradFunc: (dy, [xh, rs, ga]) => [() => inputGradient(tf.mul(dy, ga), xh, rs), () => tf.sum(tf.mul(dy, xh), 0)],
    };
  });
}

function plainOp(eps: number) {
  return defineCustomOp('layerNorm', 1, ([x2], save: SaveTensors): CustomOpResult => {
    const { xhat, rstd } = normalise(x2, eps);
    save([xhat, rstd]);
    return { value: xhat, gradFunc: (dy, [xh, rs]) => [() => inputGradient(dy, xh, rs)] };
  });
}

const opCache = new Map<string, (...inputs: tf.Tensor[]) => tf.Tensor>();

function cachedOp(kind: 'affine' | 'scale' | 'plain', eps: number): (...inputs: tf.Tensor[]) => tf.Tensor {
  const key = `${kind}:${eps}`;
  let op = opCache.get(key);
  if (op === undefined) {
    op = kind === 'affine' ? affineOp(eps) : kind === 'scale' ? scaleOnlyOp(eps) : plainOp(eps);
    opCache.set(key, op);
  }
  return op;
}

/**
 * LayerNorm of x [..., D] over the last axis. gamma/beta [D] are optional (no affine when omitted; beta requires
 * gamma). Returns a new tensor of x's shape (caller owns).
 */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, eps: number): tf.Tensor {
  const width = x.shape[x.rank - 1];
  for (const [label, t] of [['gamma', gamma], ['beta', beta]] as const) {
    if (t !== undefined && (t.rank !== 1 || t.shape[0] !== width)) {
      throw new Error(`layerNorm: ${label} must be [${width}], got [${t.shape.join(', ')}]`);
    }
  }
  if (beta !== undefined && gamma === undefined) throw new Error('layerNorm: beta without gamma is not supported');
  if (!(eps >= 0)) throw new Error(`layerNorm: eps must be >= 0, got ${eps}`);
  return tf.tidy(() => {
    const x2 = x.rank === 2 ? x : tf.reshape(x, [-1, width]); // [M, D]
    const y2 =
      gamma === undefined
        ? cachedOp('plain', eps)(x2)
        : beta === undefined
          ? cachedOp('scale', eps)(x2, gamma)
          : cachedOp('affine', eps)(x2, gamma, beta);
    return x.rank === 2 ? y2 : tf.reshape(y2, x.shape); // [..., D]
  });
}
