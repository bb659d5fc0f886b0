/** Input checks and normalisation shared by the encoders. */
import * as tf from '@tensorflow/tfjs-core';
import type { EncoderGeometry } from '../config/types.js';

/** Throws unless `images` is a float NHWC batch `[B, size, size, 3]`; `where` names the caller. */
export function checkImageBatch(images: tf.Tensor, size: number, where: string): void {
  const [b, h, w, c] = images.shape;
  if (images.rank !== 4 || h !== size || w !== size || c !== 3 || b === 0) {
    throw new Error(`${where}: expected pixel01 images [B, ${size}, ${size}, 3], got [${images.shape.join(', ')}]`);
  }
  if (images.dtype !== 'float32') throw new Error(`${where}: expected float32 pixel01 images, got ${images.dtype}`);
}

/** pixel01 → (x − mean)/std per channel (the encoder's input space). Caller owns the result. */
export function normalisePixels(images: tf.Tensor4D, geometry: EncoderGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.tensor1d([...geometry.pixelMean]);
    const std = tf.tensor1d([...geometry.pixelStd]);
    return tf.div(tf.sub(images, mean), std) as tf.Tensor4D; // [B, H, W, 3]
  });
}

/** Inverse of `normalisePixels`: encoder input space → pixel01 (no clamping). Caller owns the result. */
export function denormalisePixels(images: tf.Tensor4D, geometry: EncoderGeometry): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.tensor1d([...geometry.pixelMean]);
    const std = tf.tensor1d([...geometry.pixelStd]);
    return tf.add(tf.mul(images, std), mean) as tf.Tensor4D; // [B, H, W, 3]
  });
}
