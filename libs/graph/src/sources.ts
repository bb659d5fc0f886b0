import type { Source } from './types.js';

export interface SourceOptions {
  /** What Graph.describe() prints, e.g. `images(assets/images/*.jpg)`. Defaults to the source name. */
  readonly describe?: string;
  /** Number of items when known up front (enables ETA). Arrays set it automatically. */
  readonly length?: number;
}

/**
 * A re-openable source over a synchronous iterable. Pass an array (length known, ETA shown) or a factory returning a
 * fresh iterable per open().
 */
export function fromIterable<T>(
  name: string,
  items: readonly T[] | (() => Iterable<T>),
  options: SourceOptions = {},
): Source<T> {
  const open = typeof items === 'function' ? items : () => items;
  return {
    name,
    describe: () => options.describe ?? name,
    length: options.length ?? (Array.isArray(items) ? items.length : undefined),
    open: () => toAsync(open()),
  };
}

/**
 * A re-openable source over an async iterable factory. `open(signal)` must return a fresh one-shot stream each call;
 * it should stop reading when the signal fires (the engine also stops pulling).
 */
export function fromAsyncIterable<T>(
  name: string,
  open: (signal: AbortSignal) => AsyncIterable<T>,
  options: SourceOptions = {},
): Source<T> {
  return { name, describe: () => options.describe ?? name, length: options.length, open };
}

async function* toAsync<T>(iterable: Iterable<T>): AsyncGenerator<T> {
  yield* iterable;
}
