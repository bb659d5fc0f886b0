import type { Logger } from '@vqrae/graph';
import { createRng, shuffleInPlace, type Rng } from '../random.js';

/** Which slice of the shard list one reader (rank × worker) gets. */
export interface SplitPosition {
  readonly rank: number;
  readonly worldSize: number;
  readonly worker: number;
  readonly numWorkers: number;
}

/**
 * The shard order of one epoch: a seeded shuffle (when asked) that is identical on every rank (it depends only on
 * seed and epoch), then the rank's and the worker's share as whole shards (`i % worldSize === rank`, then
 * `j % numWorkers === worker` over the rank's list, like webdataset's split_by_node / split_by_worker).
 */
export function epochShards(shards: readonly string[], seed: number, epoch: number, shuffle: boolean, at: SplitPosition): string[] {
  const order = [...shards];
  if (shuffle) shuffleInPlace(order, createRng(seed, 'shards', epoch));
  return order
    .filter((_, i) => i % at.worldSize === at.rank)
    .filter((_, j) => j % at.numWorkers === at.worker);
}

/**
 * Checks that every rank × worker gets at least one shard. Too few shards either throws (default: a silent empty
 * rank hangs distributed jobs) or warns; an uneven split only warns.
 */
export function checkSplit(shardCount: number, at: SplitPosition, tooFew: 'error' | 'warn', log: Logger): void {
  for (const [name, value, size] of [['rank', at.rank, at.worldSize], ['worker', at.worker, at.numWorkers]] as const) {
    if (!Number.isInteger(size) || size < 1 || !Number.isInteger(value) || value < 0 || value >= size) {
      throw new Error(`DatasetSpec.open: ${name} ${value} is not in [0, ${size})`);
    }
  }
  const readers = at.worldSize * at.numWorkers;
  if (shardCount < readers) {
    const message =
      `DatasetSpec.open: ${shardCount} shard(s) cannot feed ${at.worldSize} rank(s) × ${at.numWorkers} worker(s); ` +
      `some readers get no data (rank ${at.rank}, worker ${at.worker}). Write more shards or use resampled mode`;
    if (tooFew === 'error') throw new Error(message);
    log.warn(message);
  } else if (shardCount % readers !== 0) {
    log.warn(`DatasetSpec.open: ${shardCount} shards over ${readers} readers is uneven; readers see different sample counts`);
  }
}

/** Infinite shard draws with replacement (webdataset's `resampled`), seeded per epoch, rank and worker. */
export function* resampledShards(shards: readonly string[], seed: number, epoch: number, at: SplitPosition): Generator<string> {
  const rng = createRng(seed, 'resample', epoch, at.rank, at.worker);
  for (;;) yield shards[rng.int(shards.length)] as string;
}

/** Shuffle buffer settings: `size` samples held, output starts once `initial` are in (webdataset's shuffle). */
export interface ShuffleBufferConfig {
  readonly size: number;
  readonly initial?: number;
}

/**
 * Seeded sample shuffle with a bounded buffer, following webdataset's algorithm: while the buffer is below `size`
 * two samples are pulled per output, output starts once `initial` samples are held, each output is a uniformly
 * chosen buffered sample, and the remainder drains in random order at the end.
 */
export async function* shuffleBuffer<T>(input: AsyncIterable<T>, config: ShuffleBufferConfig, rng: Rng): AsyncGenerator<T> {
  const size = Math.max(1, Math.floor(config.size));
  const initial = Math.min(size, Math.max(1, Math.floor(config.initial ?? Math.min(100, size))));
  const buffer: T[] = [];
  const pick = (): T => {
    const i = rng.int(buffer.length);
    const chosen = buffer[i] as T;
    buffer[i] = buffer[buffer.length - 1] as T;
    buffer.pop();
    return chosen;
  };
  const iterator = input[Symbol.asyncIterator]();
  try {
    for (;;) {
      const first = await iterator.next();
      if (first.done) break;
      buffer.push(first.value);
      let ended = false;
      if (buffer.length < size) {
        const second = await iterator.next();
        if (second.done) ended = true;
        else buffer.push(second.value);
      }
      if (buffer.length >= initial) yield pick();
      if (ended) break;
    }
    while (buffer.length > 0) yield pick();
  } finally {
    await iterator.return?.();
  }
}
