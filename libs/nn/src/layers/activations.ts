/**
 * GELU activations with analytic gradients (one fused backward instead of the op-by-op chain).
 *   gelu(x)     = x·Φ(x) = 0.5·x·(1 + erf(x/√2)),         gelu'(x) = Φ(x) + x·φ(x)
 *   geluTanh(x) = 0.5·x·(1 + tanh(u)), u = √(2/π)(x + 0.044715x³),
 *   geluTanh'(x) = 0.5(1 + t) + 0.5·x·(1 − t²)·√(2/π)(1 + 3·0.044715x²), t = tanh(u)
 * (tfjs-core registers an Erf gradient and wasm has an Erf kernel; the custom gradient avoids recomputing erf.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp } from './custom-op.js';

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const GELU_TANH_COEFF = 0.044715;

const geluOp = defineCustomOp('gelu', 1, ([x], save) => {
  const cdf = tf.mul(0.5, tf.add(1, tf.erf(tf.mul(x, SQRT_HALF)))); // Φ(x)
  save([x, cdf]);
  return {
    value: tf.mul(x, cdf),
    gradFunc: (dy, [xs, c]) => {
      const pdf = tf.mul(INV_SQRT_2PI, tf.exp(tf.mul(-0.5, tf.square(xs)))); // φ(x)
      return [() => tf.mul(dy, tf.add(c, tf.mul(xs, pdf)))];
    },
  };
});

const geluTanhOp = defineCustomOp('geluTanh', 1, ([x], save) => {
  const inner = tf.mul(SQRT_2_OVER_PI, tf.add(x, tf.mul(GELU_TANH_COEFF, tf.mul(x, tf.square(x)))));
  const t = tf.tanh(inner);
  save([x, t]);
  return {
    value: tf.mul(tf.mul(0.5, x), tf.add(1, t)),
    gradFunc: (dy, [xs, th]) => {
      const dInner = tf.mul(SQRT_2_OVER_PI, tf.add(1, tf.mul(3 * GELU_TANH_COEFF, tf.square(xs))));
      const local = tf.add(tf.mul(0.5, tf.add(1, th)), tf.mul(tf.mul(0.5, xs), tf.mul(tf.sub(1, tf.square(th)), dInner)));
      return [() => tf.mul(dy, local)];
    },
  };
});

/** Exact (erf) GELU; returns a new tensor (caller owns). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return geluOp(x);
}

/** Tanh-approximated GELU (`gelu_pytorch_tanh`, SigLIP); returns a new tensor (caller owns). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return geluTanhOp(x);
}

/** Activation names used in configs. */
export type ActivationName = 'gelu' | 'gelu_tanh';

/** Applies the named activation. */
export function activation(x: tf.Tensor, name: ActivationName): tf.Tensor {
  switch (name) {
    case 'gelu':
      return gelu(x);
    case 'gelu_tanh':
      return geluTanh(x);
  }
}
