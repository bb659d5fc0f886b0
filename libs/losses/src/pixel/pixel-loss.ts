import * as tf from '@tensorflow/tfjs-core';
import type { LossName } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { checkSameImages } from '../internal/ops.js';

/**
 * A pixel loss from its per-batch value: checks the two pixel01 batches [B, H, W, 3] have one shape, computes
 * `value(x̂, x)` under tf.tidy and returns it as the total and as the term `name` (distinct tensors). Caller owns the output.
 */
export function pixelLossOutput(
  name: LossName,
  reconstruction01: tf.Tensor4D,
  target01: tf.Tensor4D,
  value: (reconstruction01: tf.Tensor4D, target01: tf.Tensor4D) => tf.Scalar,
): LossOutput {
  checkSameImages(reconstruction01, target01, `loss ${name}`);
  return tf.tidy(() => {
    const total = value(reconstruction01, target01);
    return { total, terms: { [name]: tf.clone(total) } };
  });
}

/** The registry entry of a pixel loss (no options): reads `reconstruction01` and `target01` only. */
export function pixelLossEntry(name: LossName, description: string, compute: (reconstruction01: tf.Tensor4D, target01: tf.Tensor4D) => LossOutput): Loss {
  return { name, describe: () => description, compute: (inputs: LossInputs) => compute(inputs.reconstruction01, inputs.target01) };
}
