import type { ErrorPolicy, Source } from '@vqrae/graph';
import { createRng } from '../random.js';
import { consoleReporter, type ShardSample, type SkipReporter } from '../sample.js';
import { checkSplit, epochShards, resampledShards, shuffleBuffer, type ShuffleBufferConfig, type SplitPosition } from './ordering.js';
import { readShard } from './read-shard.js';
import type { RemoteShardOptions } from './remote-options.js';
import { expandShardSpec } from './spec.js';

/** Endless reading (resampled or infinite epochs) gives up after this many consecutive shards without a sample. */
const MAX_EMPTY_IN_A_ROW = 100;

/** A WebDataset definition; frozen, re-openable (see `DatasetSpec`). */
export interface DatasetConfig {
  /** Shard spec(s): paths, URLs, brace patterns, `::`-joined specs, `@list.txt` files (see `expandShardSpec`). */
  readonly shards: string | readonly string[];
  /** Seed for shard shuffling, the shuffle buffer and resampling (default 0). */
  readonly seed?: number;
  /** Shuffle the shard order every epoch (default false: shards in spec order). */
  readonly shuffleShards?: boolean;
  /** Sample shuffle buffer (default none). */
  readonly shuffle?: ShuffleBufferConfig;
  /** Infinite stream of shards drawn with replacement (training); `epochs` is then ignored (default false). */
  readonly resampled?: boolean;
  /** Epochs one `open()` iterates, starting at `OpenOptions.epoch` (default 1; `Infinity` allowed). */
  readonly epochs?: number;
  /** Stop after this many samples per `open()` (after shuffling). */
  readonly limit?: number;
  /** A key re-appearing after another key in a shard is an error (default true; Python webdataset: false). */
  readonly strict?: boolean;
  /** What unreadable shards and malformed samples do (default 'throw'). */
  readonly onError?: ErrorPolicy;
  /** When there are fewer shards than rank × worker readers: throw (default) or warn. */
  readonly tooFewShards?: 'error' | 'warn';
  /** Retries and local cache of `http(s)://` shards (default: `DEFAULT_REMOTE` retries, no cache). */
  readonly remote?: RemoteShardOptions;
}

/** Where and which epoch an `open()` reads. */
export interface OpenOptions {
  readonly epoch?: number;
  readonly rank?: number;
  readonly worldSize?: number;
  readonly worker?: number;
  readonly numWorkers?: number;
  readonly signal?: AbortSignal;
  /** Receives skips and warnings (default: console). Pass a graph StageContext to count skips in the run. */
  readonly reporter?: SkipReporter;
}

/** Counts of one opened stream, updated while it is consumed. */
export interface ReadStats {
  shards: number;
  samples: number;
}

/** One-shot stream returned by `DatasetSpec.open`. */
export interface OpenedDataset extends AsyncIterable<ShardSample> {
  readonly stats: ReadStats;
}

/**
 * A re-openable WebDataset: every `open()` returns a fresh one-shot stream of samples for the given epoch, rank
 * and worker. Same config + same open options → same samples in the same order.
 */
export class DatasetSpec {
  private shardList: Promise<string[]> | undefined;

  constructor(readonly config: DatasetConfig) {}

  /** The expanded shard list (spec order), resolved once. */
  shards(): Promise<string[]> {
    this.shardList ??= expandShardSpec(this.config.shards);
    return this.shardList;
  }

  /** e.g. `shards(train-{0..9}.tar, shuffle shards, buffer 1000/100, seed 0, strict, onError throw)`. */
  describe(): string {
    const c = this.config;
    const spec = typeof c.shards === 'string' ? c.shards : c.shards.join(' :: ');
    const parts = [spec];
    if (c.resampled) parts.push('resampled');
    if (c.shuffleShards) parts.push('shuffle shards');
    if (c.shuffle) parts.push(`buffer ${c.shuffle.size}/${c.shuffle.initial ?? Math.min(100, c.shuffle.size)}`);
    if (c.epochs !== undefined) parts.push(`epochs ${c.epochs}`);
    if (c.limit !== undefined) parts.push(`limit ${c.limit}`);
    if (c.remote?.cache) parts.push(c.remote.cache.describe());
    parts.push(`seed ${c.seed ?? 0}`, c.strict === false ? 'lenient' : 'strict', `onError ${c.onError ?? 'throw'}`);
    return `shards(${parts.join(', ')})`;
  }

  /** Opens a fresh stream of samples. */
  open(options: OpenOptions = {}): OpenedDataset {
    const stats: ReadStats = { shards: 0, samples: 0 };
    let opened = false;
    const iterate = (): AsyncIterator<ShardSample> => {
      if (opened) throw new Error('DatasetSpec.open: an opened stream is one-shot; call open() again');
      opened = true;
      return this.samples(options, stats)[Symbol.asyncIterator]();
    };
    return { stats, [Symbol.asyncIterator]: iterate };
  }

  /** This spec as a graph `Source` reading the given epoch/rank/worker. */
  asSource(options: Omit<OpenOptions, 'signal'> = {}): Source<ShardSample> {
    return { name: 'shards', describe: () => this.describe(), open: (signal) => this.open({ ...options, signal }) };
  }

  private async *samples(options: OpenOptions, stats: ReadStats): AsyncGenerator<ShardSample> {
    const c = this.config;
    const seed = c.seed ?? 0;
    const epoch = options.epoch ?? 0;
    const reporter = options.reporter ?? consoleReporter();
    const at: SplitPosition = {
      rank: options.rank ?? 0,
      worldSize: options.worldSize ?? 1,
      worker: options.worker ?? 0,
      numWorkers: options.numWorkers ?? 1,
    };
    const shards = await this.shards();
    if (!c.resampled) checkSplit(shards.length, at, c.tooFewShards ?? 'error', reporter.log);
    const shardStream = function* (): Generator<string> {
      if (c.resampled) {
        yield* resampledShards(shards, seed, epoch, at);
        return;
      }
      const epochs = c.epochs ?? 1;
      for (let e = epoch; e < epoch + epochs; e++) yield* epochShards(shards, seed, e, c.shuffleShards ?? false, at);
    };
    const read = async function* (): AsyncGenerator<ShardSample> {
      let emptyInARow = 0;
      for (const shard of shardStream()) {
        if (options.signal?.aborted) return;
        stats.shards += 1;
        const readOptions = { strict: c.strict ?? true, onError: c.onError ?? 'throw', reporter, ...(c.remote ? { remote: c.remote } : {}) };
        let count = 0;
        for await (const sample of readShard(shard, options.signal ? { ...readOptions, signal: options.signal } : readOptions)) {
          count += 1;
          yield sample;
        }
        emptyInARow = count === 0 ? emptyInARow + 1 : 0;
        const endless = c.resampled === true || !Number.isFinite(c.epochs ?? 1);
        if (endless && emptyInARow >= Math.max(MAX_EMPTY_IN_A_ROW, shards.length)) {
          throw new Error(`DatasetSpec: ${emptyInARow} shards in a row gave no samples; stopping an endless stream (last: '${shard}')`);
        }
      }
    };
    const stream = c.shuffle ? shuffleBuffer(read(), c.shuffle, createRng(seed, 'samples', epoch, at.rank, at.worker)) : read();
    const limit = c.limit ?? Infinity;
    if (limit <= 0) return;
    for await (const sample of stream) {
      stats.samples += 1;
      yield sample;
      if (stats.samples >= limit) return;
    }
  }
}
