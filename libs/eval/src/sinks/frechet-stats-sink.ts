import * as tf from '@tensorflow/tfjs-core';
import type { SampleMeta, Sink } from '@vqrae/graph';
import { featureStatsSink, type FeatureStatsResult } from '../fid/feature-stats-sink.js';
import type { FeatureExtractor } from '../fid/feature-space.js';
import { sideImages, type ImageRecord, type ReconstructionRecord, type ReconstructionSide } from './reconstruction-record.js';

/** Configuration of `frechetStatsSink` / `imageFrechetStatsSink`. */
export interface FrechetStatsSinkOptions {
  /** Borrowed: the caller disposes it after the graph. */
  readonly extractor: FeatureExtractor;
  /** Largest sub-batch through the network at once (default 16). */
  readonly maxBatch?: number;
  /** Sink name (unique within a graph). */
  readonly name?: string;
}

/** Equally sized uint8 images of one batch, `[H, W, 3]` each. */
interface HostImages {
  readonly metas: readonly SampleMeta[];
  readonly pixels: readonly Uint8Array[];
  readonly height: number;
  readonly width: number;
}

/** Host images → one `[B, H, W, 3]` int32 tensor per write (disposed before `write` returns) → `featureStatsSink`. */
function hostFeatureSink<B>(name: string, what: string, options: FrechetStatsSinkOptions, pick: (batch: B) => HostImages): Sink<B, FeatureStatsResult> {
  const inner = featureStatsSink({ extractor: options.extractor, range: 'uint8', use: 'reconstruction', maxBatch: options.maxBatch ?? 16, name });
  return {
    name,
    describe: () => `${what} → ${inner.describe()}`,
    async write(batch, ctx) {
      const { metas, pixels, height, width } = pick(batch);
      const per = height * width * 3;
      const values = new Int32Array(pixels.length * per); // [B, H, W, 3] uint8 values
      pixels.forEach((image, i) => {
        if (image.length !== per) throw new Error(`${name}: sample '${metas[i]?.key}' (shard ${metas[i]?.shard}) has ${image.length} bytes, the batch's first is ${height}×${width}×3`);
        values.set(image, i * per);
      });
      const tensor = tf.tensor4d(values, [pixels.length, height, width, 3], 'int32');
      try {
        await inner.write({ metas, images: tensor }, ctx);
      } finally {
        tensor.dispose();
      }
    },
    finish: async (ctx) => (await inner.finish!(ctx)) as FeatureStatsResult,
  };
}

/**
 * Sink: Fréchet statistics (float64 n, Σx, Σxxᵀ) of one side of every reconstruction batch through `extractor`
 * (`FeatureStatsResult`: moments, feature space, the honest label). Two of them (one per side) give the Fréchet
 * distance with `frechetDistance(a.moments.toGaussian(), b.moments.toGaussian())`. Default names
 * `fd-reconstructions` / `fd-references`. Ownership: the tensor made from the host record is disposed in `write`.
 */
export function frechetStatsSink(options: FrechetStatsSinkOptions & { readonly side?: ReconstructionSide }): Sink<ReconstructionRecord, FeatureStatsResult> {
  const side = options.side ?? 'reconstruction';
  const name = options.name ?? (side === 'reconstruction' ? 'fd-reconstructions' : 'fd-references');
  return hostFeatureSink<ReconstructionRecord>(name, side, options, (batch) => ({ metas: batch.metas, pixels: sideImages(batch, side), height: batch.outputSize, width: batch.outputSize }));
}

/**
 * Sink: Fréchet statistics of plain image batches (`HostImageBatch` of @vqrae/data; one image size per batch, e.g.
 * `batchSamples({ withinSize: true })`), as `vqrae fid-stats` makes reference statistics. Default name `fd-images`.
 */
export function imageFrechetStatsSink(options: FrechetStatsSinkOptions): Sink<ImageRecord, FeatureStatsResult> {
  const name = options.name ?? 'fd-images';
  return hostFeatureSink<ImageRecord>(name, 'images', options, (batch) => {
    const first = batch.images[0];
    return { metas: batch.metas, pixels: batch.images.map((im) => im.data), height: first?.height ?? 0, width: first?.width ?? 0 };
  });
}
