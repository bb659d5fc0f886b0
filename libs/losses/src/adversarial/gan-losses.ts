import * as tf from '@tensorflow/tfjs-core';
import type { LossOutput } from '../types.js';

/**
 * Hinge loss for D on real and fake logits [B, M] (spec §7.5): 0.5·(mean relu(1 − real) + mean relu(1 + fake)).
 * Terms (keyed by the discriminator label): `${label}.d_hinge` (= total), `.d_real`, `.d_fake` (the two means),
 * `.d_accuracy` (fraction of positions where real > fake; not differentiable, for the log). Caller owns all.
 */
export function hingeDiscriminatorLoss(label: string, realLogits: tf.Tensor, fakeLogits: tf.Tensor): LossOutput {
  return tf.tidy(() => {
    const real = tf.mean(tf.relu(tf.sub(1, realLogits))) as tf.Scalar;
    const fake = tf.mean(tf.relu(tf.add(1, fakeLogits))) as tf.Scalar;
    const total = tf.mul(0.5, tf.add(real, fake)) as tf.Scalar;
    const accuracy = tf.mean(tf.cast(tf.greater(realLogits, fakeLogits), 'float32')) as tf.Scalar;
    return {
      total,
      terms: {
        [`${label}.d_hinge`]: tf.clone(total),
        [`${label}.d_real`]: real,
        [`${label}.d_fake`]: fake,
        [`${label}.d_accuracy`]: accuracy,
      },
    };
  });
}

/** Generator adversarial value −mean D(fake) (RAE "vanilla" G loss, not softplus). Caller owns the scalar. */
export function generatorAdversarialValue(fakeLogits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.neg(tf.mean(fakeLogits)) as tf.Scalar);
}

/**
 * The fakes D trains on (spec §7.5): pm1 reconstructions clamped to [−1, 1] and quantised to 8-bit levels,
 * round((f + 1)·127.5)/127.5 − 1. Not differentiable (use outside the tape). Caller owns the result.
 */
export function quantizeFakesPm1(fakesPm1: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.sub(tf.div(tf.round(tf.mul(tf.add(tf.clipByValue(fakesPm1, -1, 1), 1), 127.5)), 127.5), 1));
}
