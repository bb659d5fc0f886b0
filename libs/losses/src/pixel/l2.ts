import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossOutput } from '../types.js';
import { pixelLossEntry, pixelLossOutput } from './pixel-loss.js';

/** mean((x̂ − x)²) over every element of pixel01 images [B, H, W, 3]. Caller owns the output. */
export function l2PixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  return pixelLossOutput(LOSS_NAMES.l2, reconstruction01, target01, (x, y) => tf.mean(tf.squaredDifference(x, y)) as tf.Scalar);
}

/** Registry factory for `l2` (no options). */
export function createL2Loss(): Loss {
  return pixelLossEntry(LOSS_NAMES.l2, 'l2(pixel01, mean)', l2PixelLoss);
}
