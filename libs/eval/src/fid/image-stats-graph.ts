import { batchSamples, imageSet, loadImage, type DecodeMode, type EncodedImage, type RemoteShardOptions } from '@vqrae/data';
import { asyncMapStage, fromAsyncIterable, Graph } from '@vqrae/graph';
import { imageFrechetStatsSink } from '../sinks/frechet-stats-sink.js';
import type { FeatureExtractor } from './feature-space.js';

/** What {@link imageStatsGraph} reads and through which network. */
export interface ImageStatsGraphConfig {
  /** A shard spec or a folder of image files. */
  readonly images: string;
  /** Shard member holding the image (default: the first image member). */
  readonly field?: string;
  readonly remote?: RemoteShardOptions;
  /** Recorded by the caller; images reach the network at full size in either mode. */
  readonly decodeMode: DecodeMode;
  /** Images per forward pass (a batch holds one image size). */
  readonly batch: number;
  /** Borrowed: the caller disposes it after the run. */
  readonly extractor: FeatureExtractor;
  /** Called with the running count after each decoded image (e.g. a line every 1000). */
  readonly onDecoded?: (count: number) => void;
}

/**
 * The graph of reference statistics (`vqrae fid-stats`): images (shards or folder) → decode (full size) → batch
 * (≤ `batch`, one size per batch) → Fréchet moments through `extractor` (sink `fd-images`, a `FeatureStatsResult`).
 * A failing image stops the run with its key.
 */
export function imageStatsGraph(c: ImageStatsGraphConfig): Graph {
  let decoded = 0;
  return Graph.from(fromAsyncIterable('images', (signal) => imageSet(c.images, c.field, signal, c.remote), { describe: `images(${c.images})` }))
    .pipe(asyncMapStage('decode', async (image: EncodedImage) => {
      c.onDecoded?.(++decoded);
      return { meta: image.meta, image: await loadImage(image.bytes, { decodeMode: c.decodeMode }, image.meta.key) };
    }, { describe: 'decode(sharp)' }))
    .pipe(batchSamples({ size: c.batch, withinSize: true }))
    .to(imageFrechetStatsSink({ extractor: c.extractor, maxBatch: c.batch }));
}
