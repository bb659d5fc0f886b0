import * as tf from '@tensorflow/tfjs-core';

/** Gradient maps (parameter name → tensor) of the trainer; ownership noted per function. */

/** Adds `extra` into `acc` (both owned), returning the new owned map. */
export function addInto(acc: Record<string, tf.Tensor>, extra: Record<string, tf.Tensor>): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, grad] of Object.entries(acc)) {
    const other = extra[name];
    out[name] = other ? tf.add(grad, other) : grad;
    if (other) grad.dispose();
  }
  for (const [name, grad] of Object.entries(extra)) {
    if (name in acc) grad.dispose();
    else out[name] = grad;
  }
  return out;
}

/** New tensors g·factor; the caller owns them and keeps `grads`. */
export function scaleAll(grads: Record<string, tf.Tensor>, factor: number): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, grad] of Object.entries(grads)) out[name] = tf.mul(grad, factor);
  return out;
}

/** Disposes every gradient of a map. */
export function disposeAll(grads: Record<string, tf.Tensor>): void {
  for (const grad of Object.values(grads)) grad.dispose();
}

/** √Σ‖g‖² over every gradient, as a number (the one implementation lives in @vqrae/nn). */
export { globalNorm } from '@vqrae/nn';
