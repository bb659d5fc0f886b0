import * as tf from '@tensorflow/tfjs-core';
import { StageError, type ErrorPolicy, type SampleMeta, type Stage, type StageContext } from '@vqrae/graph';
import type { RgbImage } from '../image/types.js';

/** Value range of batch tensors: `pixel01` = uint8/255 (datasets, PSNR/SSIM); `pm1` = 2·pixel01 − 1 (SigLIP, LPIPS). */
export type PixelRange = 'pixel01' | 'pm1';

/**
 * A batch of images and the metadata of each, in order. OWNERSHIP: the consumer owns `images` and must dispose it
 * (`batch.images.dispose()` or via `tf.tidy`/`tf.dispose`); the batcher keeps no reference.
 */
export interface ImageBatch {
  readonly metas: readonly SampleMeta[];
  /** [B, S, S, 3] float32 in the configured range. */
  readonly images: tf.Tensor4D;
}

/** Configuration of `batchImages`. */
export interface BatchImagesConfig {
  readonly batchSize: number;
  /** Default 'pixel01'. */
  readonly range?: PixelRange;
  /** Drop a final partial batch (default false: emit it smaller). */
  readonly dropLast?: boolean;
  /** A sample whose size differs from the batch's first: throw (default) or skip it. */
  readonly onError?: ErrorPolicy;
}

const lookupTables: Record<PixelRange, Float32Array> = {
  pixel01: Float32Array.from({ length: 256 }, (_, v) => v / 255),
  pm1: Float32Array.from({ length: 256 }, (_, v) => (2 * v) / 255 - 1),
};

/** Converts images of one size into a `[B, H, W, 3]` float32 tensor in `range`; the caller owns the result. */
export function imagesToTensor(images: readonly RgbImage[], range: PixelRange = 'pixel01'): tf.Tensor4D {
  const first = images[0];
  if (!first) throw new Error('imagesToTensor: no images');
  const pixels = first.width * first.height * 3;
  const values = new Float32Array(images.length * pixels);
  const table = lookupTables[range];
  images.forEach((image, b) => {
    if (image.width !== first.width || image.height !== first.height || image.data.length !== pixels) {
      throw new Error(`imagesToTensor: image ${b} is ${image.width}×${image.height}, expected ${first.width}×${first.height}`);
    }
    const offset = b * pixels;
    const data = image.data;
    for (let i = 0; i < pixels; i++) values[offset + i] = table[data[i] as number] as number;
  });
  return tf.tensor4d(values, [images.length, first.height, first.width, 3], 'float32'); // [B, H, W, 3]
}

/**
 * Stage: groups decoded, equally sized images into `ImageBatch`es. Counters (in samples): `emitted` = samples that
 * left inside a batch, `dropped` = the partial tail under `dropLast`, `skipped` = mis-sized samples under 'skip'. A sample of another size than the batch's first fails with its key (or is skipped under 'skip').
 * Tensors are created only when a batch is emitted, so stopping early leaks nothing.
 */
export function batchImages<T extends { readonly meta: SampleMeta; readonly image: RgbImage }>(config: BatchImagesConfig): Stage<T, ImageBatch> {
  const range = config.range ?? 'pixel01';
  const onError = config.onError ?? 'throw';
  if (!Number.isInteger(config.batchSize) || config.batchSize < 1) throw new Error(`batchImages: batchSize must be a positive integer, got ${config.batchSize}`);
  return {
    name: 'batch',
    onError,
    describe: () => `batch(${config.batchSize}, ${range}${config.dropLast ? ', drop last' : ''})`,
    run: async function* (input: AsyncIterable<T>, ctx: StageContext): AsyncGenerator<ImageBatch> {
      let pending: T[] = [];
      const emit = (): ImageBatch => {
        ctx.counters.emitted += pending.length;
        const batch = { metas: pending.map((s) => s.meta), images: imagesToTensor(pending.map((s) => s.image), range) };
        pending = [];
        return batch;
      };
      for await (const sample of input) {
        const first = pending[0];
        if (first && (sample.image.width !== first.image.width || sample.image.height !== first.image.height)) {
          const why = `image is ${sample.image.width}×${sample.image.height}, the batch's is ${first.image.width}×${first.image.height} (crop to one size first)`;
          const error = new StageError('batch', sample.meta, new Error(why));
          if (onError === 'throw') throw error;
          ctx.skip(sample, error.message);
          continue;
        }
        pending.push(sample);
        if (pending.length === config.batchSize) yield emit();
      }
      if (pending.length > 0 && !config.dropLast) yield emit();
      else ctx.counters.dropped += pending.length;
    },
  };
}
