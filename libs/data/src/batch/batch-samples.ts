import type { SampleMeta, Stage, StageContext } from '@vqrae/graph';
import type { RgbImage } from '../image/types.js';

/**
 * A batch of decoded images on the host, in order, with each sample's metadata and (when the samples carry one) its
 * reference crop as uint8 `[S_ref, S_ref, 3]`. This is the input record of the model stages of `@vqrae/tokenizer`
 * (`ImageBatchRecord`); it holds plain arrays only, so nothing in it needs disposing.
 */
export interface HostImageBatch {
  readonly metas: readonly SampleMeta[];
  readonly images: readonly RgbImage[];
  /** Present when every sample had a `reference` (see `cropWithReference`): the pixels sinks score against. */
  readonly references?: readonly Uint8Array[];
}

/** Configuration of `batchSamples`. */
export interface BatchSamplesConfig {
  /** Largest batch. */
  readonly size: number;
  /**
   * Never put samples of two shards into one batch (default false): a rank split then sees exactly the batches of a
   * single-process run, and so the same numbers.
   */
  readonly withinShard?: boolean;
  /** Start a new batch when the image size changes (default false: sizes are checked later, by the model stage). */
  readonly withinSize?: boolean;
  /** Stage name (default `batch`). */
  readonly name?: string;
}

/** A sample the batcher accepts: metadata, an image, optionally a reference crop. */
export interface BatchableSample {
  readonly meta: SampleMeta;
  readonly image: RgbImage;
  readonly reference?: RgbImage;
}

function toBatch(samples: readonly BatchableSample[]): HostImageBatch {
  const batch: HostImageBatch = { metas: samples.map((s) => s.meta), images: samples.map((s) => s.image) };
  return samples.every((s) => s.reference !== undefined) ? { ...batch, references: samples.map((s) => s.reference!.data) } : batch;
}

/**
 * Stage: groups samples into host batches of at most `size` (the last one may be smaller), optionally never across
 * a shard boundary or an image-size change. Emits `HostImageBatch` records; counters: `emitted` = samples that left inside a batch. Images are
 * not copied or checked here: the model stages check sizes (`pixelBatch`) and name the sample.
 */
export function batchSamples<T extends BatchableSample>(config: BatchSamplesConfig): Stage<T, HostImageBatch> {
  const { size } = config;
  if (!Number.isInteger(size) || size < 1) throw new Error(`batchSamples: size must be a positive integer, got ${size}`);
  const name = config.name ?? 'batch';
  return {
    name,
    onError: 'throw',
    describe: () => `${name}(${size}${config.withinShard ? ', within shard' : ''}${config.withinSize ? ', one size' : ''})`,
    run: async function* (input: AsyncIterable<T>, ctx: StageContext): AsyncGenerator<HostImageBatch> {
      let pending: T[] = [];
      const flush = (): HostImageBatch => {
        ctx.counters.emitted += pending.length;
        const batch = toBatch(pending);
        pending = [];
        return batch;
      };
      for await (const sample of input) {
        const first = pending[0];
        if (first && config.withinShard && first.meta.shard !== sample.meta.shard) yield flush();
        else if (first && config.withinSize && (first.image.width !== sample.image.width || first.image.height !== sample.image.height)) yield flush();
        pending.push(sample);
        if (pending.length === size) yield flush();
      }
      if (pending.length > 0) yield flush();
    },
  };
}
