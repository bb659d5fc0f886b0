import * as tf from '@tensorflow/tfjs-core';
import { pilBicubicResize } from './pil-resize.js';

/**
 * The three community ways of feeding images to FID-Inception (model-spec.md §8.5.2). Numbers from different
 * variants differ in the 2nd–3rd significant digit, so the variant is part of every FID label.
 * - `torch-fidelity` (default; RAE's rFID, reproduces the original TF graph): uint8 → float, TF1-legacy bilinear
 *   resize to 299 (resizeBilinear alignCorners=false, halfPixelCenters=false), then (x − 128)/128.
 * - `pytorch-fid`: pixel01 = uint8/255, bilinear resize with half-pixel centres (torch align_corners=False, no
 *   antialias), then 2x − 1.
 * - `clean` (clean-fid): per channel PIL-BICUBIC antialiased resize of the float 0..255 image, clip to [0, 255], no
 *   re-quantisation, then (x − 128)/128. Implemented in TypeScript ({@link pilBicubicResize}); runs on the CPU.
 */
export type FidInputVariant = 'torch-fidelity' | 'pytorch-fid' | 'clean';

export const FID_INPUT_VARIANTS: readonly FidInputVariant[] = ['torch-fidelity', 'pytorch-fid', 'clean'];

/** Value range of an image batch: `uint8` = integer values 0..255 (any dtype), `pixel01` = floats in [0, 1]. */
export type FidPixelRange = 'uint8' | 'pixel01';

/** Side of the square network input. */
export const FID_INCEPTION_INPUT_SIZE = 299;

/** One-line description of a variant's preprocessing, for reports and provenance. */
export function describeFidInputVariant(variant: FidInputVariant): string {
  switch (variant) {
    case 'torch-fidelity':
      return 'torch-fidelity: uint8, TF1-legacy bilinear resize to 299, (x-128)/128';
    case 'pytorch-fid':
      return 'pytorch-fid: x/255, bilinear (half-pixel centres, no antialias) resize to 299, 2x-1';
    case 'clean':
      return 'clean-fid: PIL bicubic antialiased resize of float 0..255 to 299, clip, (x-128)/128';
  }
}

/** Values on the 0..255 scale; torch-fidelity is defined on uint8, so pixel01 input is rounded (half up) there. */
function to255(images: tf.Tensor4D, range: FidPixelRange, quantize: boolean): tf.Tensor4D {
  if (range === 'uint8') return tf.cast(images, 'float32');
  const scaled = tf.mul<tf.Tensor4D>(tf.cast(images, 'float32'), 255);
  return quantize ? tf.clipByValue(tf.floor(tf.add<tf.Tensor4D>(scaled, 0.5)), 0, 255) : scaled;
}

/**
 * Turns an image batch [B, H, W, 3] into network input [B, 299, 299, 3] for `variant`. The caller owns the result;
 * `images` is not disposed. Async because the `clean` variant resamples on the CPU.
 */
export async function preprocessForFid(images: tf.Tensor4D, variant: FidInputVariant, range: FidPixelRange): Promise<tf.Tensor4D> {
  const [batch, height, width, channels] = images.shape;
  if (channels !== 3) throw new Error(`preprocessForFid(${variant}): expected 3 channels, got ${channels}`);
  const size: [number, number] = [FID_INCEPTION_INPUT_SIZE, FID_INCEPTION_INPUT_SIZE];
  switch (variant) {
    case 'torch-fidelity':
      return tf.tidy(() => {
        const resized = tf.image.resizeBilinear(to255(images, range, true), size, false, false); // [B, 299, 299, 3]
        return tf.div<tf.Tensor4D>(tf.sub(resized, 128), 128);
      });
    case 'pytorch-fid':
      return tf.tidy(() => {
        const x01 = range === 'uint8' ? tf.div(tf.cast(images, 'float32'), 255) : tf.cast(images, 'float32');
        const resized = tf.image.resizeBilinear(x01 as tf.Tensor4D, size, false, true); // [B, 299, 299, 3]
        return tf.sub<tf.Tensor4D>(tf.mul(resized, 2), 1);
      });
    case 'clean': {
      const x255 = to255(images, range, false);
      const values = await x255.data<'float32'>();
      x255.dispose();
      const plane = height * width * 3;
      const out = new Float32Array(batch * size[0] * size[1] * 3);
      for (let b = 0; b < batch; b++) {
        const image = { data: values.subarray(b * plane, (b + 1) * plane), height, width, channels: 3 };
        const resized = pilBicubicResize(image, { height: size[0], width: size[1] }).data;
        const offset = b * resized.length;
        for (let i = 0; i < resized.length; i++) out[offset + i] = (Math.min(Math.max(resized[i]!, 0), 255) - 128) / 128;
      }
      return tf.tensor4d(out, [batch, size[0], size[1], 3]);
    }
  }
}
