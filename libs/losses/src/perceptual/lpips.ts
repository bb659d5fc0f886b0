import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { checkSameImages, toPm1 } from '../internal/ops.js';
import { LPIPS_LAYER_NAMES, type LpipsNetwork } from './lpips-network.js';

/**
 * Unit-normalises feature vectors over the last (channel) axis: f / (‖f‖₂ + 1e−10), as LPIPS. Custom gradient
 * dx = dy/(n+ε) − f·⟨dy, f⟩/(n·(n+ε)²), defined as dy/ε where f = 0: autodiff through sqrt would give NaN at
 * all-zero ReLU features (tfjs's relu gradient multiplies by the mask, unlike torch's, which selects).
 */
export const normalizeChannels = tf.customGrad((...inputs) => {
  const f = inputs[0] as tf.Tensor;
  const save = inputs[1] as tf.GradSaveFunc;
  const norm = tf.sqrt(tf.sum(tf.square(f), -1, true)); // [..., 1]
  save([f, norm]);
  return {
    value: tf.div(f, tf.add(norm, 1e-10)),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [fs, n] = saved as [tf.Tensor, tf.Tensor];
      const denominator = tf.add(n, 1e-10);
      const projection = tf.sum(tf.mul(dy, fs), -1, true); // ⟨dy, f⟩ [..., 1]
      // Divide step by step: the product n·(n+ε)² underflows float32 for tiny norms.
      const scale = tf.div(tf.div(tf.div(projection, tf.maximum(n, 1e-30)), denominator), denominator);
      return tf.sub(tf.div(dy, denominator), tf.mul(fs, scale));
    },
  };
}) as <T extends tf.Tensor>(features: T) => T;

/**
 * LPIPS distance per image between two pm1 batches [B, H, W, 3] (spec §8.6): both go through the trunk in one
 * batch; per layer the squared difference of channel-normalised features is weighted by the head, summed over
 * channels, averaged over H, W; the five layers are summed. Returns [B] (caller owns); gradients flow to both
 * inputs, never to the network (its tensors are constants).
 */
export function lpipsDistance(network: LpipsNetwork, aPm1: tf.Tensor4D, bPm1: tf.Tensor4D): tf.Tensor1D {
  checkSameImages(aPm1, bPm1, 'lpipsDistance');
  return tf.tidy(() => {
    const batch = aPm1.shape[0];
    const taps = network.features(tf.concat([aPm1, bPm1], 0)); // each [2B, H_l, W_l, C_l]
    let total: tf.Tensor1D = tf.zeros([batch]);
    taps.forEach((tap, l) => {
      const normalized = normalizeChannels(tap);
      const [fa, fb] = tf.split(normalized, 2, 0); // [B, H_l, W_l, C_l] each
      const weighted = tf.sum(tf.mul(tf.squaredDifference(fa, fb), network.head(l)), -1); // [B, H_l, W_l]
      total = tf.add(total, tf.mean(weighted, [1, 2]));
    });
    return total;
  });
}

/** Options of the `lpips` loss. */
export interface LpipsLossOptions {
  /** The frozen network (borrowed; the caller disposes it after the run). */
  network: LpipsNetwork;
  /** Where the weights came from, for `describe()` (e.g. the safetensors path or its sha256). */
  source: string;
}

/**
 * Registry factory for `lpips`: batch mean of `lpipsDistance(2x̂−1, 2x−1)`. Term: `lpips`.
 * Use only with real converted VGG16 + LPIPS v0.1 weights; without them use `enc-perceptual`.
 */
export function createLpipsLoss(options: LpipsLossOptions): Loss {
  return {
    name: LOSS_NAMES.lpips,
    describe: () => `lpips(vgg16 trunk, layers ${LPIPS_LAYER_NAMES.join(',')}, weights ${options.source})`,
    compute: (inputs: LossInputs): LossOutput =>
      tf.tidy(() => {
        const perImage = lpipsDistance(options.network, toPm1(inputs.reconstruction01), toPm1(inputs.target01));
        const value = tf.mean(perImage) as tf.Scalar;
        return { total: value, terms: { [LOSS_NAMES.lpips]: tf.clone(value) } };
      }),
  };
}
