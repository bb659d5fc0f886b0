/**
 * Dump rows from the records the library model stages emit (host arrays only: nothing to dispose). The arrays of a
 * row are views of the batch's outputs; the table encoders copy them.
 */
import type { FeatureOutputs, TokenOutputs } from '@vqrae/tokenizer';
import type { SampleBatch } from './encode-dump.js';
import type { FeatureRow } from '../features/feature-table.js';
import type { TokenRow } from './token-table.js';

/** One TokenRow per sample of a tokenized batch, in order. */
export function tokenRowsOf(batch: SampleBatch & TokenOutputs): TokenRow[] {
  const n = batch.tokensPerImage;
  return batch.metas.map((meta, b) => ({
    key: meta.key,
    shard: meta.shard,
    tokens: batch.indices.subarray(b * n, (b + 1) * n),
    ...(batch.augs ? { aug: batch.augs[b]! } : {}),
    ...batch.sides[b],
  }));
}

/** One FeatureRow per sample of a batch with features, in order. */
export function featureRowsOf(batch: SampleBatch & FeatureOutputs): FeatureRow[] {
  return batch.metas.map((meta, b) => ({ key: meta.key, shard: meta.shard, features: batch.features[b]!, ...batch.sides[b] }));
}
