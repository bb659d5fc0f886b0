import type { ShardCache } from './shard-cache.js';

/**
 * How `http(s)://` shards are fetched: retries with exponential backoff (resuming with `Range` where the server
 * allows it), a stall timeout, and an optional local cache. Local paths and `file:` URLs ignore all of it.
 */
export interface RemoteShardOptions {
  /** Further attempts after the first one fails with a transient error (default {@link DEFAULT_REMOTE.retries}). */
  readonly retries?: number;
  /** Wait before the first retry (ms); doubles on every further retry up to `maxRetryDelayMs`. */
  readonly retryDelayMs?: number;
  /** Longest wait between two attempts (ms). */
  readonly maxRetryDelayMs?: number;
  /** An attempt that receives no byte for this long (headers or body) fails and is retried (ms). */
  readonly stallTimeoutMs?: number;
  /** Local cache of remote shards (default none: shards are streamed and not kept). */
  readonly cache?: ShardCache;
  /** Receives one line per retry and per cache event worth knowing (default: none). */
  readonly log?: (line: string) => void;
}

/** The defaults of {@link RemoteShardOptions}: about a minute of retrying in all before a shard is given up. */
export const DEFAULT_REMOTE = {
  retries: 5,
  retryDelayMs: 1000,
  maxRetryDelayMs: 30_000,
  stallTimeoutMs: 60_000,
} as const;

/** The wait before retry number `retry` (1-based): `retryDelayMs · 2^(retry−1)`, capped. */
export function retryDelay(retry: number, options: RemoteShardOptions): number {
  const first = options.retryDelayMs ?? DEFAULT_REMOTE.retryDelayMs;
  const cap = options.maxRetryDelayMs ?? DEFAULT_REMOTE.maxRetryDelayMs;
  return Math.min(cap, first * 2 ** (retry - 1));
}
