import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearHalfPixel } from './dino-resize.js';

/** ImageNet statistics used by DINO (RGB). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;

/**
 * The DINO-disc backbone input (spec §7.5): pm1 images [B, H, W, 3] resized bilinearly (half-pixel centres, no
 * antialias = torch align_corners=False) to side × side, then moved to ImageNet normalisation with
 * x·(0.5/std) + (0.5 − mean)/std. Differentiable (the G term backpropagates through it); the resize is
 * `resizeBilinearHalfPixel` because tf.image.resizeBilinear's gradient ignores halfPixelCenters in tfjs 4.22.
 * Caller owns the result.
 */
export function toDinoInput(imagesPm1: tf.Tensor4D, side = 224): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = imagesPm1.shape;
    const resized = height === side && width === side ? imagesPm1 : resizeBilinearHalfPixel(imagesPm1, side, side);
    const scale = tf.tensor1d(IMAGENET_STD.map((s) => 0.5 / s));
    const offset = tf.tensor1d(IMAGENET_MEAN.map((m, c) => (0.5 - m) / (IMAGENET_STD[c] as number)));
    return tf.add(tf.mul(resized, scale), offset) as tf.Tensor4D;
  });
}
