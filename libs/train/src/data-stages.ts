import type { ErrorPolicy, SampleMeta, Stage, StageContext } from '@vqrae/graph';
import { StageError } from '@vqrae/graph';
import { cropImage, decodeImages, hashSeed, imagesToTensor, mapOrdered, type ImageSample, type RgbImage, type ShardSample } from '@vqrae/data';
import type { TrainBatch } from './types.js';

/** A sample tagged with the epoch it was read in and its global source position (EpochSampleSource adds both). */
export interface EpochTagged {
  readonly epoch: number;
  /** 1-based position in the training source stream (counts samples a later stage skips as well). */
  readonly ordinal: number;
}

/**
 * Stage `decode` for epoch-tagged samples: @vqrae/data's decodeImages, which spreads the input sample into its
 * output, so the `epoch` and `ordinal` tags survive (checked again by the crop stage). Under `onError: 'skip'` an
 * undecodable image is a counted, logged skip.
 */
export function decodeEpochSamples(concurrency: number, onError: ErrorPolicy = 'throw'): Stage<ShardSample & EpochTagged, ImageSample & EpochTagged> {
  return decodeImages({ concurrency, onError }) as unknown as Stage<ShardSample & EpochTagged, ImageSample & EpochTagged>;
}

/** Training crop: random-resized (torchvision RandomResizedCrop) with a per-epoch seed. */
export interface TrainCropConfig {
  readonly size: number;
  readonly seed: number;
  /** Area fraction range (torchvision default 0.08–1; reconstruction training prefers larger crops). */
  readonly scale: { readonly min: number; readonly max: number };
  readonly concurrency?: number;
}

/**
 * Stage `crop`: random-resized crops seeded by (seed, epoch) and the sample key, so every epoch sees new crops of
 * each image, yet a resumed run (same epoch, same key) cuts exactly the same pixels as the uninterrupted run.
 */
export function epochRandomResizedCrop<T extends ImageSample & EpochTagged>(config: TrainCropConfig): Stage<T, T> {
  return {
    name: 'crop',
    onError: 'throw',
    describe: () => `random-resized(${config.size}, scale ${config.scale.min}–${config.scale.max}, seed ${config.seed} × epoch)`,
    async *run(input: AsyncIterable<T>, ctx: StageContext): AsyncIterable<T> {
      const crop = async (sample: T): Promise<T> => {
        if (!Number.isInteger(sample.epoch) || !Number.isInteger(sample.ordinal)) throw new Error('sample has no epoch/ordinal tag (expected from the training source)');
        const spec = { protocol: 'random-resized', size: config.size, seed: hashSeed(config.seed, 'train-epoch', sample.epoch), scale: config.scale } as const;
        const image: RgbImage = await cropImage(sample.image, spec, sample.meta.key);
        return { ...sample, image };
      };
      for await (const { item, result } of mapOrdered(input, config.concurrency ?? 4, crop)) {
        if (!result.ok) throw new StageError('crop', item.meta, result.error);
        ctx.counters.emitted += 1;
        yield result.value;
      }
    },
  };
}

/** A batch of training images with each sample's metadata; the consumer owns `images`. */
export interface KeyedBatch extends TrainBatch {
  readonly metas: readonly SampleMeta[];
  /** Source samples consumed through this batch (ordinal of its last sample; includes samples skipped before it). */
  readonly consumedThrough: number;
}

/**
 * Stage `batch`: groups cropped samples into pixel01 tensors [B, S, S, 3]. The stream is infinite (epochs back to
 * back), so batches may span an epoch boundary; nothing is dropped. Tensors are created only when a batch is
 * emitted, so stopping early leaks nothing.
 */
export function trainBatches<T extends ImageSample & EpochTagged>(batchSize: number): Stage<T, KeyedBatch> {
  return {
    name: 'batch',
    onError: 'throw',
    describe: () => `batch(${batchSize}, pixel01)`,
    async *run(input: AsyncIterable<T>, ctx: StageContext): AsyncIterable<KeyedBatch> {
      let pending: T[] = [];
      for await (const sample of input) {
        pending.push(sample);
        if (pending.length < batchSize) continue;
        const metas = pending.map((s) => s.meta);
        const consumedThrough = pending[pending.length - 1]!.ordinal;
        const images = imagesToTensor(pending.map((s) => s.image), 'pixel01'); // [B, S, S, 3]
        pending = [];
        ctx.counters.emitted += batchSize;
        yield { images, metas, keys: metas.map((m) => m.key), consumedThrough };
      }
    },
  };
}
