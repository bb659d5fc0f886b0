import type { Sink, StageContext } from './types.js';

export interface SinkOptions<Result> {
  /** What Graph.describe() prints. Defaults to the sink name. */
  readonly describe?: string;
  /** Runs once after the last item; its value becomes the sink's result in the run summary. */
  readonly finish?: (ctx: StageContext) => Promise<Result> | Result;
  /** Runs instead of finish when the run fails or is cancelled. */
  readonly abort?: (error: unknown, ctx: StageContext) => Promise<void> | void;
}

/** A sink that calls `write` for every item (awaited: a slow write slows the whole graph down to its pace). */
export function forEachSink<T, Result = undefined>(
  name: string,
  write: (item: T, ctx: StageContext) => Promise<void> | void,
  options: SinkOptions<Result> = {},
): Sink<T, Result | undefined> {
  return {
    name,
    describe: () => options.describe ?? name,
    write,
    finish: async (ctx) => (options.finish ? options.finish(ctx) : undefined),
    abort: options.abort,
  };
}

/** A sink that keeps every item in memory and returns them as its result (tests, small summaries). */
export function collectSink<T>(name: string, options: { describe?: string } = {}): Sink<T, T[]> & { readonly items: T[] } {
  const items: T[] = [];
  return {
    name,
    items,
    describe: () => options.describe ?? name,
    write: (item) => {
      items.push(item);
    },
    finish: () => items,
  };
}

/**
 * Fans one stream out to several sinks inside ONE sink (each item is written to all of them concurrently and the
 * next item waits for the slowest). Use it where a single Sink is expected; a Graph given several sinks fans out
 * itself. Its result maps each inner sink's name to its result.
 */
export function teeSinks<T>(name: string, sinks: readonly Sink<T>[]): Sink<T, Record<string, unknown>> {
  const names = sinks.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`teeSinks '${name}': duplicate sink name '${duplicate}'`);
  return {
    name,
    describe: () => `{ ${sinks.map((s) => s.describe()).join(' | ')} }`,
    write: async (item, ctx) => {
      await Promise.all(sinks.map((s) => s.write(item, ctx)));
    },
    finish: async (ctx) => {
      const results = await Promise.all(sinks.map((s) => s.finish?.(ctx)));
      return Object.fromEntries(names.map((n, i) => [n, results[i]]));
    },
    abort: async (error, ctx) => {
      await Promise.allSettled(sinks.map((s) => s.abort?.(error, ctx)));
    },
  };
}
