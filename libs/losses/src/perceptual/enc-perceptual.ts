import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { FeaturePyramid, Loss, LossInputs, LossOutput } from '../types.js';
import { check, checkSameImages, toPm1 } from '../internal/ops.js';
import { normalizeChannels } from './lpips.js';

/**
 * `enc-perceptual` distance per image (spec §8.6 substitute 1): LPIPS's lin=False form on a frozen encoder's token
 * features — per tapped layer, the channel-summed squared difference of channel-unit-normalised features [B, N, C],
 * averaged over tokens; summed over layers. Returns [B] (caller owns). It is NOT LPIPS and must never be named so.
 */
export function encPerceptualDistance(pyramid: FeaturePyramid, aPm1: tf.Tensor4D, bPm1: tf.Tensor4D): tf.Tensor1D {
  checkSameImages(aPm1, bPm1, 'encPerceptualDistance');
  return tf.tidy(() => {
    const batch = aPm1.shape[0];
    const layers = pyramid(tf.concat([aPm1, bPm1], 0)); // each [2B, N_l, C_l]
    const split = layers.map((features) => {
      check(features.rank === 3, 'encPerceptualDistance', () => `expected token features [B, N, C], got [${features.shape}]`);
      return tf.split(features, [batch, batch], 0) as [tf.Tensor3D, tf.Tensor3D]; // [B, N_l, C_l] each
    });
    return encPerceptualFromFeatures(split.map(([a]) => a), split.map(([, b]) => b));
  });
}

/**
 * The same distance from two feature pyramids computed separately (e.g. the target's once, outside the gradient
 * tape, so only x̂ keeps activations for the backward pass): Σ_l mean_tokens Σ_c (f̂_a − f̂_b)². Returns [B].
 */
export function encPerceptualFromFeatures(a: readonly tf.Tensor3D[], b: readonly tf.Tensor3D[]): tf.Tensor1D {
  const where = 'encPerceptualFromFeatures';
  check(a.length > 0, where, () => 'the feature pyramid returned no layers');
  check(a.length === b.length, where, () => `${a.length} layers against ${b.length}`);
  return tf.tidy(() => {
    let total: tf.Tensor1D = tf.zeros([a[0]!.shape[0]]);
    a.forEach((fa, l) => {
      const fb = b[l]!;
      check(fa.rank === 3 && fa.shape.every((d, i) => d === fb.shape[i]), where, () => `layer ${l}: [${fa.shape}] vs [${fb.shape}]`);
      const diff = tf.squaredDifference(normalizeChannels(fa), normalizeChannels(fb)); // [B, N_l, C_l]
      total = tf.add(total, tf.mean(tf.sum(diff, -1), 1)); // [B]
    });
    return total;
  });
}

/** Options of the `enc-perceptual` loss. */
export interface EncPerceptualLossOptions {
  /** Intermediate features of the FROZEN teacher encoder (e.g. full: layers 9, 18, 27; tiny: 1, 2). */
  pyramid: FeaturePyramid;
  /** Which encoder and layers, for `describe()` (e.g. `teacher siglip2 layers 9,18,27`). */
  source: string;
}

/**
 * Registry factory for `enc-perceptual`: batch mean of `encPerceptualDistance(2x̂−1, 2x−1)`. Term: `enc-perceptual`.
 * With `inputs.targetPyramid` (the same pyramid of 2x−1, computed by the caller) only x̂ goes through the encoder.
 */
export function createEncPerceptualLoss(options: EncPerceptualLossOptions): Loss {
  return {
    name: LOSS_NAMES.encPerceptual,
    describe: () => `enc-perceptual(lin=False on ${options.source})`,
    compute: (inputs: LossInputs): LossOutput =>
      tf.tidy(() => {
        const perImage = inputs.targetPyramid
          ? encPerceptualFromFeatures(options.pyramid(toPm1(inputs.reconstruction01)), inputs.targetPyramid)
          : encPerceptualDistance(options.pyramid, toPm1(inputs.reconstruction01), toPm1(inputs.target01));
        const value = tf.mean(perImage) as tf.Scalar;
        return { total: value, terms: { [LOSS_NAMES.encPerceptual]: tf.clone(value) } };
      }),
  };
}
