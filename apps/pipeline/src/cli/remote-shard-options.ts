/**
 * The option group every command that reads shards shares (`--cache-dir`, `--cache-size`, `--shard-retries`,
 * `--shard-timeout`), declared once and spread into each command's options; {@link remoteShardOptions} turns the
 * resolved values into the `remote` config of a `DatasetSpec`.
 */
import { DEFAULT_REMOTE, parseByteSize, ShardCache, type RemoteShardOptions } from '@vqrae/data';
import type { Logger } from '@vqrae/graph';
import { UsageError } from './errors.js';
import { intOption, pathOption, stringOption, type ResolvedOptions } from './option-spec.js';

export const REMOTE_SHARD_OPTIONS = {
  cacheDir: pathOption({
    description: 'keep http(s) shards in this folder and read them from there next time (several processes may share it; local and file: shards are never copied)',
    placeholder: '<dir>',
  }),
  cacheSize: stringOption({
    description: 'size budget of --cache-dir; least recently used shards are evicted first (e.g. 500MB, 50GB, 2GiB)',
    default: '50GB',
    placeholder: '<size>',
  }),
  shardRetries: intOption({
    description: 'further attempts for an http(s) shard after a dropped connection, a stall, HTTP 5xx/429 (exponential backoff from 1 s, resuming with Range when the server allows it)',
    default: DEFAULT_REMOTE.retries,
    min: 0,
    max: 100,
  }),
  shardTimeout: intOption({
    description: 'seconds without a byte from an http(s) shard before the attempt is retried',
    default: DEFAULT_REMOTE.stallTimeoutMs / 1000,
    min: 1,
    max: 86_400,
    placeholder: '<s>',
  }),
} as const;

export type RemoteShardFlags = ResolvedOptions<typeof REMOTE_SHARD_OPTIONS>;

/** The `remote` config of a `DatasetSpec` from the resolved flags; retry and cache lines go to `log.warn`. */
export function remoteShardOptions(o: RemoteShardFlags, log?: Logger): RemoteShardOptions {
  let cache: ShardCache | undefined;
  if (o.cacheDir !== undefined) {
    let maxBytes: number;
    try {
      maxBytes = parseByteSize(o.cacheSize);
    } catch (error) {
      throw new UsageError(`--cache-size: ${(error as Error).message}`);
    }
    cache = new ShardCache({ dir: o.cacheDir, maxBytes });
  }
  return {
    retries: o.shardRetries,
    stallTimeoutMs: o.shardTimeout * 1000,
    ...(cache ? { cache } : {}),
    ...(log ? { log: (line: string) => log.warn(line) } : {}),
  };
}
