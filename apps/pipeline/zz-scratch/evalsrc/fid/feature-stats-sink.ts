import * as tf from '@tensorflow/tfjs-core';
import type { SampleMeta, Sink } from '@vqrae/graph';
import { FeatureMoments } from '../stats/feature-moments.js';
import { frechetLabel, type FeatureExtractor, type FeatureSpace, type FrechetUse } from './feature-space.js';
import type { FidPixelRange } from './input-variants.js';

/** An image batch as the data library emits it (structurally `ImageBatch` of @vqrae/data). */
export interface FeatureImageBatch {
  readonly metas: readonly SampleMeta[];
  /** [B, H, W, 3] */
  readonly images: tf.Tensor4D;
}

export interface FeatureStatsSinkOptions {
  readonly extractor: FeatureExtractor;
  /** Value range of the incoming batches. */
  readonly range: FidPixelRange;
  /** Which side of the comparison this set is (used in the label only). */
  readonly use: FrechetUse;
  /** Largest sub-batch sent through the network at once (bounds activation memory; default 16). */
  readonly maxBatch?: number;
  /** Sink name (default `feature-stats`); use distinct names for the reference and candidate sides. */
  readonly name?: string;
}

/** What the sink returns: the accumulated moments and how to label a distance computed from them. */
export interface FeatureStatsResult {
  readonly space: FeatureSpace;
  /** e.g. `rFID[torch-fidelity]` or `FD[mobilenetv2-imagenet-stride16]`. */
  readonly label: string;
  readonly moments: FeatureMoments;
}

/**
 * Streams image batches through a feature network and accumulates float64 sufficient statistics (n, Σx, Σxxᵀ) for
 * a Fréchet distance. OWNERSHIP: the sink never disposes the batch's `images` (in a fan-out graph other sinks see
 * the same tensor; the graph's owner disposes it); every tensor it creates is disposed before `write` returns.
 */
export function featureStatsSink(options: FeatureStatsSinkOptions): Sink<FeatureImageBatch, FeatureStatsResult> {
  const { extractor, range } = options;
  const maxBatch = options.maxBatch ?? 16;
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new Error(`featureStatsSink: maxBatch must be a positive integer, got ${maxBatch}`);
  const name = options.name ?? 'feature-stats';
  const moments = new FeatureMoments(extractor.featureDim);
  const label = frechetLabel(extractor.space, options.use);
  return {
    name,
    describe: () => `${name}(${label}, ${extractor.featureDim}-d)`,
    async write(batch: FeatureImageBatch): Promise<void> {
      const total = batch.images.shape[0];
      for (let start = 0; start < total; start += maxBatch) {
        const size = Math.min(maxBatch, total - start);
        const part = total <= maxBatch ? batch.images : tf.slice(batch.images, [start, 0, 0, 0], [size, -1, -1, -1]);
        try {
          const features = await extractor.extract(part, range); // [size, dim]
          try {
            moments.add(await features.data<'float32'>(), size);
          } finally {
            features.dispose();
          }
        } catch (error) {
          const meta = batch.metas[start];
          const where = meta ? ` (batch starting at key ${meta.key}, shard ${meta.shard})` : '';
          throw new Error(`${name}: feature extraction failed${where}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          if (part !== batch.images) part.dispose();
        }
      }
    },
    finish: () => ({ space: extractor.space, label, moments }),
  };
}

/**
 * Wraps any image → feature function as a named {@link FeatureExtractor} (e.g. the tokenizer's mean-pooled encoder
 * features), so its Fréchet distance is labelled `FD[<name>]`. `fn` returns a new [B, dim] tensor the caller owns.
 */
export function functionFeatureExtractor(
  space: FeatureSpace,
  featureDim: number,
  fn: (images: tf.Tensor4D, range: FidPixelRange) => tf.Tensor2D | Promise<tf.Tensor2D>,
  dispose: () => void = () => undefined,
): FeatureExtractor {
  return {
    space,
    featureDim,
    async extract(images, range) {
      const features = await fn(images, range);
      if (features.shape.length !== 2 || features.shape[1] !== featureDim || features.shape[0] !== images.shape[0]) {
        const shape = `[${features.shape.join(', ')}]`;
        features.dispose();
        throw new Error(`feature extractor '${frechetLabel(space, 'reconstruction')}': expected [${images.shape[0]}, ${featureDim}] features, got ${shape}`);
      }
      return features;
    },
    dispose,
  };
}
