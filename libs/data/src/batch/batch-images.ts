import * as tf from '@tensorflow/tfjs-core';
import { StageError, type ErrorPolicy, type SampleMeta, type Stage, type StageContext } from '@vqrae/graph';
import type { RgbImage } from '../image/types.js';
import { BatchStaging, writePixels, type PixelRange } from './staging.js';

export type { PixelRange } from './staging.js';

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

/** Converts images of one size into a `[B, H, W, 3]` float32 tensor in `range`; the caller owns the result. */
export function imagesToTensor(images: readonly RgbImage[], range: PixelRange = 'pixel01'): tf.Tensor4D {
  const first = images[0];
  if (!first) throw new Error('imagesToTensor: no images');
  const pixels = first.width * first.height * 3;
  const values = new Float32Array(images.length * pixels);
  images.forEach((image, b) => {
    if (image.width !== first.width || image.height !== first.height || image.data.length !== pixels) {
      throw new Error(`imagesToTensor: image ${b} is ${image.width}×${image.height}, expected ${first.width}×${first.height}`);
    }
    writePixels(values, b * pixels, image.data, range);
  });
  return tf.tensor4d(values, [images.length, first.height, first.width, 3], 'float32'); // [B, H, W, 3]
}

/**
 * Stage: groups decoded, equally sized images into `ImageBatch`es. Counters (in samples): `emitted` = samples that
 * left inside a batch, `dropped` = the partial tail under `dropLast`, `skipped` = mis-sized samples under 'skip'. A sample of another size than the batch's first fails with its key (or is skipped under 'skip').
 * Tensors are created only when a batch is emitted, so stopping early leaks nothing. Images are converted into a
 * float32 staging buffer as they arrive (reused across batches when the backend copies tensor data, e.g. wasm).
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
      // Each image is converted into the staging buffer as it arrives; only metadata and size are kept.
      const staging = new BatchStaging(config.batchSize, range);
      let metas: SampleMeta[] = [];
      let size: { readonly width: number; readonly height: number } | undefined;
      const emit = (): ImageBatch => {
        ctx.counters.emitted += metas.length;
        const shape = size as { width: number; height: number };
        const batch = { metas, images: staging.take(metas.length, shape.height, shape.width) };
        metas = [];
        size = undefined;
        return batch;
      };
      for await (const sample of input) {
        const { image } = sample;
        if (size && (image.width !== size.width || image.height !== size.height)) {
          const why = `image is ${image.width}×${image.height}, the batch's is ${size.width}×${size.height} (crop to one size first)`;
          const error = new StageError('batch', sample.meta, new Error(why));
          if (onError === 'throw') throw error;
          ctx.skip(sample, error.message);
          continue;
        }
        if (image.data.length !== image.width * image.height * 3) {
          throw new StageError('batch', sample.meta, new Error(`image data has ${image.data.length} bytes, expected ${image.width}×${image.height}×3`));
        }
        size ??= { width: image.width, height: image.height };
        staging.write(metas.length, image.data);
        metas.push(sample.meta);
        if (metas.length === config.batchSize) yield emit();
      }
      if (metas.length > 0 && !config.dropLast) yield emit();
      else ctx.counters.dropped += metas.length;
    },
  };
}
