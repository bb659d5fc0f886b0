import _ from 'highland';

/**
 * Bridges between highland streams and plain async iterables, both pull-based so backpressure is exact: a value is
 * requested upstream only when the consumer asks for the next one.
 *
 * An async generator handed straight to `_()` hangs (highland 2.13 does not know async iterators), so it is wrapped in
 * a highland generator function that calls `next()` once per highland pull.
 */

/**
 * A highland stream that pulls `iterable` one item per demand. An iterator error becomes a stream error followed by
 * the end of the stream. Whoever stops consuming early owns closing the iterator (the Graph closes its source).
 * (No 'end' listener is attached on purpose: listening to a highland stream's events turns its errors into 'error'
 * events, which crash the process when nobody listens to them.)
 */
export function toHighland<T>(iterable: AsyncIterable<T> | Iterable<T>): Highland.Stream<T> {
  const iterator = Symbol.asyncIterator in iterable ? iterable[Symbol.asyncIterator]() : toAsync(iterable);
  return _<T>((push, next) => {
    iterator.next().then(
      (result) => {
        if (result.done) {
          push(null, _.nil);
        } else {
          push(null, result.value);
          next();
        }
      },
      (error: unknown) => {
        push(asError(error));
        push(null, _.nil);
      },
    );
  });
}

/**
 * Pulls a highland stream as an async iterable. Stream errors are thrown from `next()`. When `stop` fires while a pull
 * is pending, iteration ends (the pending value, if it ever arrives, is dropped); this is how the engine unblocks
 * the other branches of a fan-out after one sink fails.
 */
export async function* fromHighland<T>(stream: Highland.Stream<T>, stop?: AbortSignal): AsyncGenerator<T> {
  try {
    while (!stop?.aborted) {
      const pulled = await pullOne(stream, stop);
      if (pulled.kind === 'end') return;
      yield pulled.value;
    }
  } finally {
    stream.destroy();
  }
}

type Pulled<T> = { kind: 'value'; value: T } | { kind: 'end' };

function pullOne<T>(stream: Highland.Stream<T>, stop?: AbortSignal): Promise<Pulled<T>> {
  return new Promise((resolve, reject) => {
    const onStop = (): void => resolve({ kind: 'end' });
    stop?.addEventListener('abort', onStop, { once: true });
    stream.pull((error, value) => {
      stop?.removeEventListener('abort', onStop);
      if (error) reject(error);
      else if (_.isNil(value)) resolve({ kind: 'end' });
      else resolve({ kind: 'value', value: value as T });
    });
  });
}

async function* toAsync<T>(iterable: Iterable<T>): AsyncGenerator<T> {
  yield* iterable;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
