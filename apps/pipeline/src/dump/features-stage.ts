import * as tf from '@tensorflow/tfjs-core';
import { imagesToTensor } from '@vqrae/data';
import { mapStage, type ErrorPolicy, type Stage } from '@vqrae/graph';
import type { SampleBatch } from './encode-dump.js';
import type { FeatureRow } from './feature-table.js';

/** Something that turns pixel01 images `[B, S, S, 3]` into features `[B, N, d]` (caller owns both). */
export type FeatureFn = (images: tf.Tensor4D) => tf.Tensor3D;

/** Batch → one FeatureRow per sample: per-token `[N·d]` or mean-pooled over tokens `[d]`. Disposes its tensors. */
export function featuresStage(encode: FeatureFn, label: string, pool: 'none' | 'mean', onError: ErrorPolicy): Stage<SampleBatch, FeatureRow[]> {
  return mapStage<SampleBatch, FeatureRow[]>(
    'features',
    (batch) => {
      const images = imagesToTensor(batch.images, 'pixel01'); // [B, S, S, 3]
      let out: tf.Tensor | undefined;
      try {
        out = tf.tidy(() => {
          const z = encode(images as tf.Tensor4D); // [B, N, d]
          return pool === 'mean' ? tf.mean(z, 1) : z; // [B, d] | [B, N, d]
        });
        const values = out.dataSync() as Float32Array;
        const per = values.length / batch.metas.length;
        return batch.metas.map((meta, b) => ({ key: meta.key, shard: meta.shard, features: values.slice(b * per, (b + 1) * per), ...batch.sides[b] }));
      } finally {
        images.dispose();
        out?.dispose();
      }
    },
    { onError, describe: `features(${label}, pool ${pool})` },
  );
}
