import type { Readable } from 'node:stream';

/**
 * Makes `stream` emit 'close' only once `cleanup` has settled (after its own destroy): whoever destroys the stream
 * and waits for 'close' then knows what stands behind it (a connection, a cache writer's lock, a file handle) is
 * released too. `cleanup` runs once, on destroy for any reason (end, error, a reader that stopped); its failure is
 * not the stream's error.
 */
export function closeAfter<T extends Readable>(stream: T, cleanup: () => Promise<unknown>): T {
  const destroy = stream._destroy.bind(stream);
  stream._destroy = (error: Error | null, callback: (error?: Error | null) => void): void => {
    destroy(error, (destroyError?: Error | null) => {
      const done = (): void => callback(destroyError ?? error);
      cleanup().then(done, done);
    });
  };
  return stream;
}

/** Resolves once `stream` has closed (at once when it already has). */
export function closed(stream: Readable): Promise<void> {
  return stream.closed ? Promise.resolve() : new Promise((resolve) => stream.once('close', () => resolve()));
}
