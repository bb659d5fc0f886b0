import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from '@vqrae/nn';
import type { ObjectiveOutput, TrainBatch, TrainObjective } from '../src/types.js';
import type { TrainerConfig } from '../src/trainer.js';

/** A two-matrix linear auto-encoder on flattened 2×2×3 images: enough to exercise the trainer without a tokenizer. */
export function toyParams(seed = 1): ParamStore {
  const store = new ParamStore();
  store.add('enc.w', tf.randomNormal([12, 4], 0, 0.3, 'float32', seed));
  store.add('dec.w', tf.randomNormal([4, 12], 0, 0.3, 'float32', seed + 1));
  store.add('frozen.c', tf.randomNormal([4], 0, 1, 'float32', seed + 2), { trainable: false });
  return store;
}

export function toyObjective(params: ParamStore, opts: { nanAtStep?: number } = {}): TrainObjective {
  return {
    name: 'toy',
    codebookSize: 4,
    forward(images: tf.Tensor4D, _prepared, step): ObjectiveOutput {
      const x = tf.reshape(images, [images.shape[0], 12]); // [B, 12]
      const z = tf.matMul(x, params.get('enc.w')); // [B, 4]
      const y = tf.matMul(tf.add(z, params.get('frozen.c')), params.get('dec.w')); // [B, 12]
      const pixel = tf.mean(tf.square(tf.sub(y, x))) as tf.Scalar;
      const reg = tf.mul(tf.mean(tf.square(z)), 0.01) as tf.Scalar;
      const poisoned = opts.nanAtStep === step ? (tf.mul(reg, Number.NaN) as tf.Scalar) : reg;
      const codes = tf.argMax(z, 1); // [B]
      const codeCounts = tf.cast(tf.sum(tf.oneHot(codes, 4), 0), 'float32') as tf.Tensor1D; // [4]
      return { total: tf.add(pixel, poisoned) as tf.Scalar, terms: { pixel, reg: poisoned }, codeCounts };
    },
  };
}

export function toyBatch(seed: number, size = 4, keyPrefix = 'k'): TrainBatch {
  return {
    images: tf.randomUniform([size, 2, 2, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    keys: Array.from({ length: size }, (_, i) => `${keyPrefix}${seed}-${i}`),
  };
}

export function toyConfig(overrides: Partial<TrainerConfig> = {}): TrainerConfig {
  return {
    optimizer: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 },
    lr: { base: 1e-2, final: 1e-3, groups: [] },
    schedule: { warmupSteps: 2, totalSteps: 20 },
    emaDecay: 0.9,
    emaWarmup: false,
    clipGradNorm: null,
    accumulate: 1,
    ...overrides,
  };
}
