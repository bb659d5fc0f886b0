/** Stop-gradient and straight-through estimator (TF.js has no stop_gradient op; spec §4.4). */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp } from './custom-op.js';

const stopGradientOp = defineCustomOp('stopGradient', 1, ([x]) => ({
  value: tf.clone(x),
  gradFunc: (dy) => [() => tf.zerosLike(dy)],
}));

/** sg(x): identity forward (a new tensor the caller owns), zero gradient backward. */
export function stopGradient(x: tf.Tensor): tf.Tensor {
  return stopGradientOp(x);
}

const straightThroughOp = defineCustomOp('straightThrough', 2, ([z, q]) => {
  if (z.shape.length !== q.shape.length || z.shape.some((d, i) => d !== q.shape[i])) {
    throw new Error(`straightThrough: z [${z.shape.join(', ')}] and q [${q.shape.join(', ')}] must have the same shape`);
  }
  return {
    value: tf.clone(q),
    gradFunc: (dy) => [() => tf.clone(dy), () => tf.zerosLike(dy)],
  };
});

/**
 * Straight-through estimator z + sg(q − z): the value is q, the gradient w.r.t. z is the identity and q receives a
 * zero gradient. Returns a new tensor the caller owns.
 */
export function straightThrough(z: tf.Tensor, q: tf.Tensor): tf.Tensor {
  return straightThroughOp(z, q);
}
