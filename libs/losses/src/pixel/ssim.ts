import * as tf from '@tensorflow/tfjs-core';
import { ssimTorchmetricsTensor } from '@vqrae/eval';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossOutput } from '../types.js';
import { pixelLossEntry, pixelLossOutput } from './pixel-loss.js';

/**
 * 1 − mean SSIM of pixel01 images [B, H, W, 3] under the torchmetrics variant the evaluation reports (11-tap Gaussian,
 * σ 1.5, reflect border, data range 1; `ssimTorchmetricsTensor` of @vqrae/eval, differentiable on every backend).
 * A structural term that the paper does not use: it stands in for LPIPS where no VGG16 weights are available.
 * Caller owns the output.
 */
export function ssimPixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  return pixelLossOutput(LOSS_NAMES.ssim, reconstruction01, target01, (x, y) => tf.sub(1, tf.mean(ssimTorchmetricsTensor(x, y))) as tf.Scalar);
}

/** Registry factory for `ssim` (no options). */
export function createSsimLoss(): Loss {
  return pixelLossEntry(LOSS_NAMES.ssim, '1 − ssim(pixel01, torchmetrics σ1.5)', ssimPixelLoss);
}
