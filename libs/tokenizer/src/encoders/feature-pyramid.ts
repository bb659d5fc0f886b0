/**
 * Adapter from an encoder's intermediate-features API to the function shape the losses library injects
 * (`FeaturePyramid` in @vqrae/losses: pm1 images → one `[B, N_l, C_l]` map per tap). Structural: this library does
 * not import @vqrae/losses.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import { checkTapNames } from './feature-taps.js';
import type { ImageEncoder } from './image-encoder.js';

/**
 * FeaturePyramid-compatible function: pm1 images `[B, S, S, 3]` → `encoder.features(store, (x + 1)/2, taps)`.
 * The tap names are checked now (a wrong name fails when the training graph is built, not at its first step).
 * Differentiable w.r.t. the images; for the frozen-backbone losses pass a store whose encoder parameters are frozen
 * (e.g. the teacher copy), so that no encoder variable is on the tape. The returned function borrows its input; the
 * caller owns the returned maps. `encoder` and `store` are borrowed for the function's lifetime.
 */
export function encoderFeaturePyramid(
  encoder: ImageEncoder,
  store: ParamStore,
  taps: readonly string[],
): (imagesPm1: tf.Tensor4D) => tf.Tensor3D[] {
  const where = `encoderFeaturePyramid(${encoder.config.kind})`;
  checkTapNames(where, encoder.featureTaps(), taps);
  const selected = [...taps];
  return (imagesPm1: tf.Tensor4D) => {
    const pixel01 = tf.tidy(() => tf.mul(tf.add(imagesPm1, 1), 0.5) as tf.Tensor4D); // [B, S, S, 3]
    try {
      return encoder.features(store, pixel01, selected);
    } finally {
      pixel01.dispose();
    }
  };
}
