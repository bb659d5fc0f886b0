import * as tf from '@tensorflow/tfjs-core';
import type { Sink } from '@vqrae/graph';
import { featureStatsSink, type FeatureStatsResult } from '../fid/feature-stats-sink.js';
import type { FeatureExtractor } from '../fid/feature-space.js';
import { sideImages, type ReconstructionRecord, type ReconstructionSide } from './reconstruction-record.js';

/** Configuration of `frechetStatsSink`. */
export interface FrechetStatsSinkOptions {
  /** Borrowed: the caller disposes it after the graph. */
  readonly extractor: FeatureExtractor;
  /** Reconstructions (default) or their references. */
  readonly side?: ReconstructionSide;
  /** Largest sub-batch through the network at once (default 16). */
  readonly maxBatch?: number;
  /** Default `fd-reconstructions` / `fd-references`. */
  readonly name?: string;
}

/**
 * Sink: Fréchet statistics (float64 n, Σx, Σxxᵀ) of one side of every reconstruction batch through `extractor`
 * (`FeatureStatsResult`: moments, feature space, the honest label). Two of them (one per side) give the Fréchet
 * distance with `frechetDistance(a.moments.toGaussian(), b.moments.toGaussian())`. Ownership: the `[B, S, S, 3]`
 * tensor made from the host record is disposed before `write` returns.
 */
export function frechetStatsSink(options: FrechetStatsSinkOptions): Sink<ReconstructionRecord, FeatureStatsResult> {
  const side = options.side ?? 'reconstruction';
  const name = options.name ?? (side === 'reconstruction' ? 'fd-reconstructions' : 'fd-references');
  const inner = featureStatsSink({ extractor: options.extractor, range: 'uint8', use: 'reconstruction', maxBatch: options.maxBatch ?? 16, name });
  return {
    name,
    describe: () => `${side} → ${inner.describe()}`,
    async write(batch, ctx) {
      const images = sideImages(batch, side);
      const size = batch.outputSize;
      const per = size * size * 3;
      const values = new Int32Array(images.length * per); // [B, S, S, 3] uint8 values
      images.forEach((image, i) => values.set(image, i * per));
      const tensor = tf.tensor4d(values, [images.length, size, size, 3], 'int32');
      try {
        await inner.write({ metas: batch.metas, images: tensor }, ctx);
      } finally {
        tensor.dispose();
      }
    },
    finish: async (ctx) => (await inner.finish!(ctx)) as FeatureStatsResult,
  };
}
