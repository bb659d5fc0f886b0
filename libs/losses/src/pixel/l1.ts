import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossOutput } from '../types.js';
import { pixelLossEntry, pixelLossOutput } from './pixel-loss.js';

/** mean|x̂ − x| over every element of pixel01 images [B, H, W, 3]. Caller owns the output. */
export function l1PixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  return pixelLossOutput(LOSS_NAMES.l1, reconstruction01, target01, (x, y) => tf.mean(tf.abs(tf.sub(x, y))) as tf.Scalar);
}

/** Registry factory for `l1` (no options). */
export function createL1Loss(): Loss {
  return pixelLossEntry(LOSS_NAMES.l1, 'l1(pixel01, mean)', l1PixelLoss);
}
