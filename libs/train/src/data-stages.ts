import type { ErrorPolicy, SampleMeta, Stage, StageContext } from '@vqrae/graph';
import { StageError } from '@vqrae/graph';
import {
  cropImage,
  decodeImages,
  DEFAULT_IMAGE_MEMBERS,
  hashSeed,
  imagesToTensor,
  loadImage,
  mapOrdered,
  type CropSpec,
  type ImageSample,
  type RgbImage,
  type ShardSample,
} from '@vqrae/data';
import { fastRandomResizedCrop } from './fast-crop.js';
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

/** The crop of one sample in one epoch: random-resized, seeded by (seed, epoch) and (inside planCrop) the key. */
function epochCropSpec(config: TrainCropConfig, sample: EpochTagged): Extract<CropSpec, { protocol: 'random-resized' }> {
  if (!Number.isInteger(sample.epoch) || !Number.isInteger(sample.ordinal)) throw new Error('sample has no epoch/ordinal tag (expected from the training source)');
  return { protocol: 'random-resized', size: config.size, seed: hashSeed(config.seed, 'train-epoch', sample.epoch), scale: config.scale };
}

const describeEpochCrop = (config: TrainCropConfig): string =>
  `random-resized(${config.size}, scale ${config.scale.min}–${config.scale.max}, seed ${config.seed} × epoch)`;

/**
 * Stage `crop`: random-resized crops seeded by (seed, epoch) and the sample key, so every epoch sees new crops of
 * each image, yet a resumed run (same epoch, same key) cuts exactly the same pixels as the uninterrupted run.
 */
export function epochRandomResizedCrop<T extends ImageSample & EpochTagged>(config: TrainCropConfig): Stage<T, T> {
  return {
    name: 'crop',
    onError: 'throw',
    describe: () => describeEpochCrop(config),
    async *run(input: AsyncIterable<T>, ctx: StageContext): AsyncIterable<T> {
      const crop = async (sample: T): Promise<T> => {
        const spec = epochCropSpec(config, sample);
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

/**
 * Stage `decode` of `decodeMode: 'fast'`: decodes and crops each epoch-tagged sample in one step, so a large JPEG or
 * WebP is decoded at reduced scale (`fastRandomResizedCrop`: the crop box must be known before decoding). Images that
 * do not qualify (PNG, small sources or boxes) are decoded in full and cropped exactly as `decodeEpochSamples` →
 * `epochRandomResizedCrop` do (same bytes). Under `onError: 'skip'` an undecodable image is a counted, logged skip.
 */
export function decodeCropEpochSamples(
  config: TrainCropConfig & { readonly onError?: ErrorPolicy },
): Stage<ShardSample & EpochTagged, ImageSample & EpochTagged> {
  const onError = config.onError ?? 'throw';
  const decodeCrop = async (sample: ShardSample & EpochTagged): Promise<ImageSample & EpochTagged> => {
    const spec = epochCropSpec(config, sample);
    const member = DEFAULT_IMAGE_MEMBERS.find((ext) => sample.files.has(ext));
    if (member === undefined) {
      throw new Error(`sample has no image member (looked for ${DEFAULT_IMAGE_MEMBERS.join(', ')}; it has ${[...sample.files.keys()].join(', ') || 'nothing'})`);
    }
    const bytes = sample.files.get(member)!;
    try {
      const image = (await fastRandomResizedCrop(bytes, spec, sample.meta.key)) ?? (await cropImage(await loadImage(bytes, {}, sample.meta.key), spec, sample.meta.key));
      return { ...sample, image };
    } catch (error) {
      throw new Error(`member '${member}': ${(error as Error).message}`);
    }
  };
  return {
    name: 'decode',
    onError,
    describe: () => `decode(sharp, ${describeEpochCrop(config)}, fast)`,
    async *run(input: AsyncIterable<ShardSample & EpochTagged>, ctx: StageContext): AsyncIterable<ImageSample & EpochTagged> {
      for await (const { item, result } of mapOrdered(input, config.concurrency ?? 2, decodeCrop)) {
        if (result.ok) {
          ctx.counters.emitted += 1;
          yield result.value;
          continue;
        }
        const error = new StageError('decode', item.meta, result.error);
        if (onError === 'throw') throw error;
        ctx.skip(item, error.message);
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
