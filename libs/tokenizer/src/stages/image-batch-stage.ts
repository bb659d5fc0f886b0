/**
 * Stage `batch`: decoded samples → `ImageBatchRecord`s (metadata + uint8 pixels + the samples themselves), the input
 * record of every model stage. Batches never cross a shard boundary, so a shard's records (and anything committed
 * per shard downstream) do not depend on its neighbours.
 * Ownership: host arrays only, nothing to dispose.
 */
import type { BatchableSample } from '@vqrae/data';
import type { ErrorPolicy, Stage } from '@vqrae/graph';
import type { ImageBatchRecord } from './model-batch.js';

/** Options of {@link imageBatches}. */
export interface ImageBatchesOptions {
  /** Samples per batch (positive integer); the last batch of a shard may be shorter. */
  readonly size: number;
  /** Stage name (default `batch`). */
  readonly name?: string;
}

/** An image batch that also keeps its samples (side members such as `.cls`/`.txt` stay reachable downstream). */
export interface SampleBatchRecord<S extends BatchableSample> extends ImageBatchRecord {
  readonly samples: readonly S[];
}

function record<S extends BatchableSample>(samples: S[]): SampleBatchRecord<S> {
  return { metas: samples.map((s) => s.meta), images: samples.map((s) => s.image), samples };
}

/**
 * Groups samples into batch records of `size`, flushing early at every shard boundary.
 *
 * @example
 * Graph.from(spec.asSource()).pipe(decodeImages()).pipe(cropImages({ crop })).pipe(imageBatches({ size: 16 }))
 */
export function imageBatches<S extends BatchableSample>(options: ImageBatchesOptions): Stage<S, SampleBatchRecord<S>> {
  const { size } = options;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`imageBatches: size must be a positive integer, got ${size}`);
  const name = options.name ?? 'batch';
  const onError: ErrorPolicy = 'throw'; // grouping cannot fail per item
  return {
    name,
    onError,
    describe: () => `${name}(${size}, within shard)`,
    run: async function* (input, ctx) {
      let pending: S[] = [];
      for await (const sample of input) {
        if (pending.length > 0 && pending[0]!.meta.shard !== sample.meta.shard) {
          ctx.counters.emitted += pending.length;
          yield record(pending);
          pending = [];
        }
        pending.push(sample);
        if (pending.length === size) {
          ctx.counters.emitted += pending.length;
          yield record(pending);
          pending = [];
        }
      }
      if (pending.length > 0) {
        ctx.counters.emitted += pending.length;
        yield record(pending);
      }
    },
  };
}
