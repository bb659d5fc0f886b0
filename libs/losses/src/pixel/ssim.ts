import * as tf from '@tensorflow/tfjs-core';
import { ssimTorchmetricsTensor } from '@vqrae/eval';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { checkSameImages } from '../internal/ops.js';

/**
 * 1 − mean SSIM of pixel01 images [B, H, W, 3] under the torchmetrics variant the evaluation reports (11-tap Gaussian,
 * σ 1.5, reflect border, data range 1; `ssimTorchmetricsTensor` of @vqrae/eval, differentiable on every backend).
 * A structural term that the paper does not use: it stands in for LPIPS where no VGG16 weights are available.
 * Caller owns the output.
 */
export function ssimPixelLoss(reconstruction01: tf.Tensor4D, target01: tf.Tensor4D): LossOutput {
  checkSameImages(reconstruction01, target01, 'loss ssim');
  return tf.tidy(() => {
    const value = tf.sub(1, tf.mean(ssimTorchmetricsTensor(reconstruction01, target01))) as tf.Scalar;
    return { total: value, terms: { [LOSS_NAMES.ssim]: tf.clone(value) } };
  });
}

/** Registry factory for `ssim` (no options). */
export function createSsimLoss(): Loss {
  return {
    name: LOSS_NAMES.ssim,
    describe: () => '1 − ssim(pixel01, torchmetrics σ1.5)',
    compute: (inputs: LossInputs) => ssimPixelLoss(inputs.reconstruction01, inputs.target01),
  };
}
