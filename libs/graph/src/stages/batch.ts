/// <reference types="highland" />
import { defineHighlandStage, type StageOptions } from '../stage-base.js';
import type { Stage } from '../types.js';

export interface BatchOptions extends StageOptions {
  /** Items per batch (positive integer). */
  readonly size: number;
  /** Drop the final partial batch (default false: emit it short). */
  readonly dropLast?: boolean;
}

/**
 * Groups items into arrays of `size` (highland `.batch`). Counters are in items: `emitted` = items that left inside a
 * batch, `dropped` = the partial tail under `dropLast`, `outputs` = batches; `seen = emitted + dropped`. A batcher
 * cannot fail per item, so `onError` has no effect.
 */
export function batchStage<T>(name: string, options: BatchOptions): Stage<T, T[]> {
  const { size, dropLast = false } = options;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`batchStage '${name}': size must be a positive integer, got ${size}`);
  }
  return defineHighlandStage<T, T[]>({
    name,
    onError: options.onError ?? 'throw',
    description: options.describe ?? `${name}(${size}${dropLast ? ', drop-last' : ''})`,
    through: (input, ctx) =>
      input
        .map((item) => {
          ctx.counters.seen += 1;
          return item;
        })
        .batch(size)
        .filter((batch) => {
          if (dropLast && batch.length < size) {
            ctx.counters.dropped += batch.length;
            return false;
          }
          ctx.counters.emitted += batch.length;
          ctx.counters.outputs += 1;
          return true;
        }),
  });
}
