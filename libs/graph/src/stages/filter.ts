/// <reference types="highland" />
import { defineHighlandStage, dropSkipped, handleFailure, SKIPPED, timed, type Attempt, type StageOptions } from '../stage-base.js';
import type { Stage, StageContext } from '../types.js';

/**
 * Keeps the items for which `predicate` is true. Counters: `seen = emitted + skipped + dropped`, where `dropped`
 * counts rejected items (not errors) and `skipped` counts predicate failures under `onError: 'skip'`.
 */
export function filterStage<T>(
  name: string,
  predicate: (item: T, ctx: StageContext) => boolean,
  options: StageOptions = {},
): Stage<T, T> {
  const onError = options.onError ?? 'throw';
  return defineHighlandStage<T, T>({
    name,
    onError,
    description: options.describe ?? name,
    through: (input, ctx) =>
      dropSkipped(
        input.map((item): Attempt<T> => {
          ctx.counters.seen += 1;
          try {
            if (!timed(ctx, () => predicate(item, ctx))) {
              ctx.counters.dropped += 1;
              return SKIPPED;
            }
            ctx.counters.emitted += 1;
            ctx.counters.outputs += 1;
            return item;
          } catch (error) {
            return handleFailure(name, onError, ctx, item, error);
          }
        }),
      ),
  });
}
