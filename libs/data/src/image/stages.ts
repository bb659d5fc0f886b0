import { performance } from 'node:perf_hooks';
import { StageError, type ErrorPolicy, type SampleMeta, type Stage, type StageContext } from '@vqrae/graph';
import type { ShardSample } from '../sample.js';
import sharp from 'sharp';
import { chooseDecodeConcurrency } from './decode-concurrency.js';
import { cropImage, imageSourcePixels, loadImage, type LoadImageOptions } from './load-image.js';
import { mapOrdered } from './ordered-map.js';
import type { CropSpec, RgbImage } from './types.js';

/** A sample after decoding: its members plus the decoded (and cropped) image. */
export interface ImageSample extends ShardSample {
  readonly image: RgbImage;
}

/** Member extensions tried, in order, for a sample's image. */
export const DEFAULT_IMAGE_MEMBERS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff', 'img'];

/** Configuration of `decodeImages`. */
export interface DecodeImagesConfig extends LoadImageOptions {
  /** Member extensions to look for, first match wins (default `DEFAULT_IMAGE_MEMBERS`). */
  readonly members?: readonly string[];
  /**
   * Images decoded at once, or `auto` (default): chosen by `chooseDecodeConcurrency` from the cores, the libuv pool
   * and the first image's size, which also sets libvips to that many threads per image (process-wide
   * `sharp.concurrency`, so in-flight × threads never oversubscribes the cores).
   */
  readonly concurrency?: number | 'auto';
  readonly onError?: ErrorPolicy;
  /** Stage name (default `decode`); give a second decode stage of one graph another name. */
  readonly name?: string;
}

/**
 * Stage: decodes each sample's image member with sharp (optionally cropping it, see `LoadImageOptions`), keeping
 * order with bounded concurrency. A sample without an image member, with an empty one, an undecodable one or one
 * above the pixel limit fails with the sample's key and shard; under `onError: 'skip'` it is reported via
 * `ctx.skip` and dropped.
 */
export function decodeImages(config: DecodeImagesConfig = {}): Stage<ShardSample, ImageSample> {
  const members = config.members ?? DEFAULT_IMAGE_MEMBERS;
  const name = config.name ?? 'decode';
  const run = async (sample: ShardSample): Promise<ImageSample> => {
    const extension = members.find((ext) => sample.files.has(ext));
    if (extension === undefined) {
      throw new Error(`sample has no image member (looked for ${members.join(', ')}; it has ${[...sample.files.keys()].join(', ') || 'nothing'})`);
    }
    try {
      const image = await loadImage(sample.files.get(extension) as Uint8Array, config, sample.meta.key);
      return { ...sample, image };
    } catch (error) {
      throw new Error(`member '${extension}': ${(error as Error).message}`);
    }
  };
  const crop = config.crop ? `, ${describeCrop(config.crop)}` : '';
  const mode = config.decodeMode === 'fast' ? ', fast' : '';
  const concurrency = config.concurrency ?? 'auto';
  const chooser = concurrency !== 'auto'
    ? concurrency
    : async (first: ShardSample): Promise<number> => {
      const extension = members.find((ext) => first.files.has(ext));
      const pixels = extension === undefined ? 0 : await imageSourcePixels(first.files.get(extension) as Uint8Array);
      const chosen = chooseDecodeConcurrency({ sourcePixels: pixels });
      sharp.concurrency(chosen.vipsThreads);
      return chosen.inFlight;
    };
  return policyStage(name, `decode(sharp${crop}${mode}${config.resampler === 'pil' ? ', pil kernels' : ''})`, { ...config, concurrency: chooser }, run);
}

/** Configuration of `cropImages`. */
export interface CropImagesConfig {
  readonly crop: CropSpec;
  readonly resampler?: 'sharp' | 'pil';
  readonly concurrency?: number;
  readonly onError?: ErrorPolicy;
  /** Stage name (default `crop`); give a second crop stage of one graph another name. */
  readonly name?: string;
  /** What `describe()` prints (default `describeCrop(crop)`, e.g. `center(256)`). */
  readonly describe?: string;
}

/** Stage: applies a crop protocol to already decoded images (e.g. decode once, crop twice). */
export function cropImages<T extends { readonly meta: SampleMeta; readonly image: RgbImage }>(config: CropImagesConfig): Stage<T, T> {
  const run = async (sample: T): Promise<T> => ({ ...sample, image: await cropImage(sample.image, config.crop, sample.meta.key, config.resampler) });
  return policyStage(config.name ?? 'crop', config.describe ?? describeCrop(config.crop), config, run);
}

/** e.g. `center(256)`, `random-crop(256 from 384, seed 0)`. */
export function describeCrop(crop: CropSpec): string {
  switch (crop.protocol) {
    case 'random-crop':
      return `random-crop(${crop.size} from ${crop.resizeTo}, seed ${crop.seed})`;
    case 'random-resized':
      return `random-resized(${crop.size}, seed ${crop.seed})`;
    default:
      return `${crop.protocol}(${crop.size})`;
  }
}

/** A fixed concurrency, or one chosen from the first item (e.g. its image size). */
type ConcurrencyChoice<In> = number | ((first: In) => Promise<number>);

function policyStage<In extends { readonly meta: SampleMeta }, Out>(
  name: string,
  description: string,
  config: { readonly concurrency?: ConcurrencyChoice<In>; readonly onError?: ErrorPolicy },
  fn: (item: In) => Promise<Out>,
): Stage<In, Out> {
  const onError = config.onError ?? 'throw';
  return {
    name,
    onError,
    describe: () => description,
    run: async function* (input: AsyncIterable<In>, ctx: StageContext): AsyncGenerator<Out> {
      // busyMs sums each item's own time (with several items in flight it can exceed wall time).
      const timed = async (item: In): Promise<Out> => {
        const started = performance.now();
        try {
          return await fn(item);
        } finally {
          ctx.counters.busyMs += performance.now() - started;
        }
      };
      const { concurrency, items } = await resolveConcurrency(input, config.concurrency ?? 4);
      for await (const { item, result } of mapOrdered(items, concurrency, timed)) {
        if (result.ok) {
          ctx.counters.emitted += 1;
          yield result.value;
          continue;
        }
        const error = new StageError(name, item.meta, result.error);
        if (onError === 'throw') throw error;
        ctx.skip(item, error.message);
      }
    },
  };
}

/** Resolves a concurrency choice, peeking at the first item when it depends on it (the item is not lost). */
async function resolveConcurrency<In>(input: AsyncIterable<In>, choice: ConcurrencyChoice<In>): Promise<{ concurrency: number; items: AsyncIterable<In> }> {
  if (typeof choice === 'number') return { concurrency: choice, items: input };
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return { concurrency: 1, items: (async function* () {})() };
  const concurrency = await choice(first.value);
  const items = (async function* (): AsyncGenerator<In> {
    try {
      yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    } finally {
      await iterator.return?.(); // a consumer that stops early closes the source too
    }
  })();
  return { concurrency, items };
}
