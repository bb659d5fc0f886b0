import { performance } from 'node:perf_hooks';
import { newCounters, StageError, type ErrorPolicy, type Logger, type SampleMeta, type StageContext } from '@vqrae/graph';
import { decodeImages } from './image/stages.js';
import type { DecodeMode } from './image/load-image.js';
import type { CropSpec } from './image/types.js';
import type { ShardSample, SkipReporter } from './sample.js';
import { DatasetSpec } from './shards/dataset.js';
import type { RemoteShardOptions } from './shards/remote-options.js';

/** One line of `shards ls`: a sample, where it is, its members and their sizes. */
export interface SampleListing {
  readonly key: string;
  readonly shard: string;
  readonly index: number;
  /** Member extension → bytes, in tar order. */
  readonly members: Readonly<Record<string, number>>;
  readonly bytes: number;
}

/** Describes a sample for listings. */
export function listingOf(sample: ShardSample): SampleListing {
  const members: Record<string, number> = {};
  let bytes = 0;
  for (const [extension, data] of sample.files) {
    members[extension] = data.length;
    bytes += data.length;
  }
  return { key: sample.meta.key, shard: sample.meta.shard, index: sample.meta.index, members, bytes };
}

/** A sample (or a whole shard, when `key` is absent) that failed a check. */
export interface BadSample {
  readonly shard?: string;
  readonly key?: string;
  readonly reason: string;
}

/** Options of `checkShards`. */
export interface CheckShardsOptions {
  /** Decode every image (default false: only read and group the tar members). */
  readonly decode?: boolean;
  /** Also crop every decoded image with this protocol. */
  readonly crop?: CropSpec;
  /** 'throw' stops at the first bad sample; 'skip' reports every bad sample and reads on. */
  readonly onError: ErrorPolicy;
  /** Images decoded at once, or `auto` (default; see `chooseDecodeConcurrency`). */
  readonly concurrency?: number | 'auto';
  /** Decode protocol (`LoadImageOptions.decodeMode`, default exact). */
  readonly decodeMode?: DecodeMode;
  /** Called for each bad sample as soon as it is found. */
  readonly onBad?: (bad: BadSample) => void;
  /** Called after each good sample with the running count. */
  readonly onSample?: (count: number) => void;
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Retries and cache of http(s) shards. */
  readonly remote?: RemoteShardOptions;
}

/** Result of `checkShards`. */
export interface CheckReport {
  readonly shards: number;
  /** Samples read (and decoded, with `decode`) without error. */
  readonly good: number;
  readonly bad: readonly BadSample[];
  /** True when the check stopped at a bad sample (onError 'throw'). */
  readonly stopped: boolean;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/**
 * Reads every sample of a shard spec, optionally decoding (and cropping) every image, and reports the bad ones
 * with shard and key: what `vqrae shards check` prints. Nothing is thrown for bad data; the report says it.
 */
export async function checkShards(shards: string | readonly string[], options: CheckShardsOptions): Promise<CheckReport> {
  const started = performance.now();
  const bad: BadSample[] = [];
  const record = (meta: SampleMeta | undefined, reason: string): void => {
    const entry: BadSample = meta ? { shard: meta.shard, key: meta.key, reason } : { reason };
    bad.push(entry);
    options.onBad?.(entry);
  };
  const reporter: SkipReporter & StageContext = {
    signal: options.signal ?? new AbortController().signal,
    log: options.log,
    counters: newCounters(),
    skip: (item, reason) => record((item as { meta?: SampleMeta } | undefined)?.meta, reason),
  };
  const dataset = new DatasetSpec({ shards, onError: options.onError, ...(options.remote ? { remote: options.remote } : {}) });
  const opened = dataset.open(options.signal ? { reporter, signal: options.signal } : { reporter });
  const stream: AsyncIterable<unknown> = options.decode || options.crop
    ? decodeImages({ onError: options.onError, concurrency: options.concurrency ?? 'auto', decodeMode: options.decodeMode ?? 'exact', ...(options.crop ? { crop: options.crop } : {}) }).run(opened, reporter)
    : opened;
  let good = 0;
  let stopped = false;
  try {
    for await (const _sample of stream) {
      good += 1;
      options.onSample?.(good);
    }
  } catch (error) {
    if (!(error instanceof StageError)) throw error;
    stopped = true;
    record(error.meta, error.message);
  }
  const seconds = (performance.now() - started) / 1000;
  return { shards: opened.stats.shards, good, bad, stopped, seconds, samplesPerSecond: good / Math.max(seconds, 1e-9) };
}
