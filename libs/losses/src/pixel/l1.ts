import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { checkSameImages } from '../internal/ops.js';

/** mean|x̂ − x| over every element of pixel01 images [B, H, W, 3]. Caller owns the output. */
export function l1PixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  checkSameImages(reconstruction01, target01, 'loss l1');
  return tf.tidy(() => {
    const value = tf.mean(tf.abs(tf.sub(reconstruction01, target01))) as tf.Scalar;
    return { total: value, terms: { [LOSS_NAMES.l1]: tf.clone(value) } };
  });
}

/** Registry factory for `l1` (no options). */
export function createL1Loss(): Loss {
  return {
    name: LOSS_NAMES.l1,
    describe: () => 'l1(pixel01, mean)',
    compute: (inputs: LossInputs) => l1PixelLoss(inputs.reconstruction01, inputs.target01),
  };
}
