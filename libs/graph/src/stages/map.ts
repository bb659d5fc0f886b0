import _ from 'highland';
import { defineHighlandStage, dropSkipped, handleFailure, timed, timedAsync, type Attempt, type StageOptions } from '../stage-base.js';
import type { Stage, StageContext } from '../types.js';

/**
 * A 1:1 stage from a synchronous function. Counters: `seen = emitted + skipped`.
 *
 * @example mapStage('stats', (s: Sample) => ({ ...s, mean: meanOf(s.pixels) }), { describe: 'stats(mean)' })
 */
export function mapStage<In, Out>(
  name: string,
  fn: (item: In, ctx: StageContext) => Out,
  options: StageOptions = {},
): Stage<In, Out> {
  const onError = options.onError ?? 'throw';
  return defineHighlandStage<In, Out>({
    name,
    onError,
    description: options.describe ?? name,
    through: (input, ctx) =>
      dropSkipped(
        input.map((item): Attempt<Out> => {
          ctx.counters.seen += 1;
          try {
            const out = timed(ctx, () => fn(item, ctx));
            ctx.counters.emitted += 1;
            ctx.counters.outputs += 1;
            return out;
          } catch (error) {
            return handleFailure(name, onError, ctx, item, error);
          }
        }),
      ),
  });
}

export interface AsyncMapOptions extends StageOptions {
  /** Items in flight at once (default 1). Output order always equals input order. */
  readonly concurrency?: number;
}

/**
 * A 1:1 stage from an async function, with up to `concurrency` items in flight and input order preserved
 * (highland `.parallel(n)`: bounded read-ahead, results buffered until their turn). Counters: `seen = emitted + skipped`.
 */
export function asyncMapStage<In, Out>(
  name: string,
  fn: (item: In, ctx: StageContext) => Promise<Out>,
  options: AsyncMapOptions = {},
): Stage<In, Out> {
  const onError = options.onError ?? 'throw';
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`asyncMapStage '${name}': concurrency must be a positive integer, got ${concurrency}`);
  }
  const attempt = async (item: In, ctx: StageContext): Promise<Attempt<Out>> => {
    ctx.counters.seen += 1;
    try {
      const out = await timedAsync(ctx, () => fn(item, ctx));
      ctx.counters.emitted += 1;
      ctx.counters.outputs += 1;
      return out;
    } catch (error) {
      return handleFailure(name, onError, ctx, item, error);
    }
  };
  return defineHighlandStage<In, Out>({
    name,
    onError,
    description: options.describe ?? name,
    through: (input, ctx) => dropSkipped(input.map((item) => _(attempt(item, ctx))).parallel(concurrency)),
  });
}
