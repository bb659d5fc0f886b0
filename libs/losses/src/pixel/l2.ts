import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { checkSameImages } from '../internal/ops.js';

/** mean((x̂ − x)²) over every element of pixel01 images [B, H, W, 3]. Caller owns the output. */
export function l2PixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  checkSameImages(reconstruction01, target01, 'loss l2');
  return tf.tidy(() => {
    const value = tf.mean(tf.squaredDifference(reconstruction01, target01)) as tf.Scalar;
    return { total: value, terms: { [LOSS_NAMES.l2]: tf.clone(value) } };
  });
}

/** Registry factory for `l2` (no options). */
export function createL2Loss(): Loss {
  return {
    name: LOSS_NAMES.l2,
    describe: () => 'l2(pixel01, mean)',
    compute: (inputs: LossInputs) => l2PixelLoss(inputs.reconstruction01, inputs.target01),
  };
}
