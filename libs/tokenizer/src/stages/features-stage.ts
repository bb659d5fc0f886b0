/**
 * Stage `features`: a batch of images → the same record plus each sample's continuous features Z_I, per token
 * `[N·d]` or mean-pooled over tokens `[d]`.
 * Ownership: host arrays only (see model-batch.ts); the engine is borrowed, never disposed here.
 */
import { pixelBatch } from '@vqrae/data';
import { asyncMapStage, type Stage } from '@vqrae/graph';
import type { FeatureEngine } from '../engine/tokenizer-engine.js';
import { splitRows, type FeatureOutputs, type ImageBatchRecord, type ModelStageOptions } from './model-batch.js';

/** Per-token features, or their mean over tokens. */
export type FeaturePool = 'none' | 'mean';

/**
 * Mean over the N tokens of each sample's `[N, d]` block → `[B, d]`: a float32 sum in token order, then one float32
 * division (bit-identical to tfjs-wasm's `tf.mean(z, 1)`, the former tensor path; the cpu backend sums in float64).
 */
export function meanOverTokens(values: Float32Array, batch: number, tokens: number, width: number): Float32Array {
  const out = new Float32Array(batch * width); // [B, d]
  const sums = new Float32Array(width); // every += rounds to float32
  for (let b = 0; b < batch; b++) {
    sums.fill(0);
    for (let t = 0; t < tokens; t++) {
      const row = (b * tokens + t) * width;
      for (let j = 0; j < width; j++) sums[j]! += values[row + j]!;
    }
    for (let j = 0; j < width; j++) out[b * width + j] = sums[j]! / tokens;
  }
  return out;
}

/** Images → Z_I with `engine.features`, optionally mean-pooled over tokens. */
export function featuresStage<B extends ImageBatchRecord>(
  engine: Pick<FeatureEngine, 'label' | 'tokensPerImage' | 'featureWidth' | 'features'>,
  options: ModelStageOptions & { readonly pool?: FeaturePool } = {},
): Stage<B, B & FeatureOutputs> {
  const name = options.name ?? 'features';
  const pool = options.pool ?? 'none';
  const n = engine.tokensPerImage;
  const d = engine.featureWidth;
  return asyncMapStage<B, B & FeatureOutputs>(
    name,
    async (record) => {
      const count = record.images.length;
      const z = await engine.features(pixelBatch(record.images)); // [B, N, d]
      if (z.length !== count * n * d) throw new Error(`${engine.label}: features gave ${z.length} values, expected ${count}×${n}×${d}`);
      const values = pool === 'mean' ? meanOverTokens(z, count, n, d) : z; // [B, d] | [B, N, d]
      return { ...record, features: splitRows(values, count), featureTokens: pool === 'mean' ? 1 : n, featureWidth: d };
    },
    { onError: options.onError ?? 'throw', describe: `${name}(${options.label ?? engine.label}, pool ${pool})` },
  );
}
