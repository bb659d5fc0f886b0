/** Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_ semantics). */
import * as tf from '@tensorflow/tfjs-core';

/** Result of `clipByGlobalNorm`. */
export interface ClippedGradients {
  /** New tensors (caller owns; the input gradients are untouched). */
  readonly grads: Record<string, tf.Tensor>;
  /** Global L2 norm before clipping. */
  readonly norm: number;
}

/**
 * Scales all gradients by min(1, maxNorm / (norm + 1e-6)) where norm = √(Σ‖g‖²) over every gradient.
 * Always returns new tensors (clones when no scaling is needed).
 */
export function clipByGlobalNorm(grads: Readonly<Record<string, tf.Tensor>>, maxNorm: number): ClippedGradients {
  if (!(maxNorm > 0)) throw new Error(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const norm = globalNorm(grads);
  const coefficient = Math.min(1, maxNorm / (norm + 1e-6));
  const out: Record<string, tf.Tensor> = {};
  for (const [name, grad] of Object.entries(grads)) out[name] = coefficient < 1 ? tf.mul(grad, coefficient) : tf.clone(grad);
  return { grads: out, norm };
}

/** √(Σ‖g‖²) over all gradients: the sum of squares on the device, the square root on the host (float64). */
export function globalNorm(grads: Readonly<Record<string, tf.Tensor>>): number {
  const tensors = Object.values(grads);
  if (tensors.length === 0) return 0;
  const squared = tf.tidy(() => tf.addN(tensors.map((g) => tf.sum(tf.square(g)))));
  const value = squared.dataSync()[0] ?? Number.NaN;
  squared.dispose();
  return Math.sqrt(value);
}
