import * as tf from '@tensorflow/tfjs-core';
import { imagesToTensor } from '@vqrae/data';
import { mapStage, type ErrorPolicy, type Stage } from '@vqrae/graph';
import type { VqraeModel } from '@vqrae/tokenizer';
import type { SampleBatch } from './encode-dump.js';
import type { TokenRow } from './token-table.js';

/**
 * Batch of decoded samples → one TokenRow per sample (`model.tokenize`, cached projected codebook). Owns and
 * disposes every tensor it creates; the model is borrowed.
 */
export function tokenizeStage(model: VqraeModel, label: string, onError: ErrorPolicy): Stage<SampleBatch, TokenRow[]> {
  const n = model.tokensPerImage;
  return mapStage<SampleBatch, TokenRow[]>(
    'tokenize',
    (batch) => {
      const images = imagesToTensor(batch.images, 'pixel01'); // [B, S, S, 3]
      let indices: tf.Tensor2D | undefined;
      try {
        indices = model.tokenize(images as tf.Tensor4D); // [B, N] int32
        const flat = indices.dataSync() as Int32Array; // [B·N]
        return batch.metas.map((meta, b) => ({
          key: meta.key,
          shard: meta.shard,
          tokens: flat.slice(b * n, (b + 1) * n),
          ...batch.sides[b],
        }));
      } finally {
        images.dispose();
        indices?.dispose();
      }
    },
    { onError, describe: `tokenize(${label})` },
  );
}
