/// <reference types="highland" />
import { performance } from 'node:perf_hooks';
import { toHighland } from '../highland-io.js';
import { defineHighlandStage, handleFailure, type StageOptions } from '../stage-base.js';
import type { Stage, StageContext } from '../types.js';

/**
 * Expands each item into zero or more outputs, streamed in order (e.g. a tar shard into its samples). The expansion
 * is pulled lazily, so a huge expansion never sits in memory. Counters: `seen = emitted + skipped`, where `emitted`
 * counts items expanded without error and `outputs` counts the values produced. Under `skip`, an expansion that fails
 * midway keeps the outputs it already produced and the item counts as skipped.
 */
export function flatMapStage<In, Out>(
  name: string,
  fn: (item: In, ctx: StageContext) => Iterable<Out> | AsyncIterable<Out>,
  options: StageOptions = {},
): Stage<In, Out> {
  const onError = options.onError ?? 'throw';
  async function* expand(item: In, ctx: StageContext): AsyncGenerator<Out> {
    ctx.counters.seen += 1;
    try {
      let start = performance.now();
      for await (const out of fn(item, ctx)) {
        ctx.counters.busyMs += performance.now() - start;
        ctx.counters.outputs += 1;
        yield out;
        start = performance.now();
      }
      ctx.counters.busyMs += performance.now() - start;
      ctx.counters.emitted += 1;
    } catch (error) {
      handleFailure(name, onError, ctx, item, error);
    }
  }
  return defineHighlandStage<In, Out>({
    name,
    onError,
    description: options.describe ?? name,
    through: (input, ctx) => input.map((item) => toHighland(expand(item, ctx))).sequence(),
  });
}
