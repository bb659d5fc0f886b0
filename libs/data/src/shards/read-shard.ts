import type { Readable } from 'node:stream';
import { StageError, type ErrorPolicy, type SampleMeta } from '@vqrae/graph';
import tar from 'tar-stream';
import type { ShardSample, SkipReporter } from '../sample.js';
import { closed } from './close-after.js';
import { parseMemberName } from './member-name.js';
import { openShardStream } from './open-shard.js';
import type { RemoteShardOptions } from './remote-options.js';

/** Name used for errors raised while reading shards. */
export const SHARD_STAGE = 'shards';

export interface ReadShardOptions {
  /** A key that re-appears after another key in the same shard is an error (default true). */
  readonly strict?: boolean;
  readonly onError?: ErrorPolicy;
  readonly reporter: SkipReporter;
  readonly signal?: AbortSignal;
  /** Retries and cache of `http(s)://` shards (retry and cache lines go to `reporter.log.warn` unless `remote.log` is set). */
  readonly remote?: RemoteShardOptions;
}

interface PendingSample {
  readonly meta: SampleMeta;
  readonly files: Map<string, Uint8Array>;
  /** Why the sample must be dropped (duplicate extension, re-appearing key), once known. */
  poison?: string;
}

/**
 * Streams one shard as WebDataset samples, grouped exactly like Python webdataset: consecutive regular-file
 * members with the same key form a sample (see `parseMemberName`); directories, links, hidden and extension-less
 * members are ignored. Failures name the shard and the key:
 * - the shard cannot be opened/fetched → one failure for the shard;
 * - the tar breaks (truncated, corrupt header, dropped connection) → the sample being assembled fails and reading
 *   this shard stops (tar offers no reliable resync point); the reported item carries `endsShard: true`, so a
 *   caller that must account for every sample (dumps) can treat the shard as failed rather than one sample skipped;
 * - a member with an unsafe name (absolute, `..`), a duplicate extension or (strict) a re-appearing key → that
 *   sample fails and reading goes on.
 * Under `onError: 'throw'` a failure throws a `StageError`; under `'skip'` it is reported and counted.
 */
export async function* readShard(shard: string, options: ReadShardOptions): AsyncGenerator<ShardSample> {
  const policy = options.onError ?? 'throw';
  const strict = options.strict ?? true;
  /** `endsShard`: nothing after this failure was read (the reporter's item says so, see `collectingReporter`). */
  const fail = (meta: SampleMeta | undefined, why: string, endsShard = false): void => {
    const error = new StageError(SHARD_STAGE, meta, new Error(meta ? why : `shard '${shard}': ${why}`));
    if (policy === 'throw') throw error;
    options.reporter.skip(endsShard ? { meta, endsShard } : { meta }, error.message);
  };

  let stream: Readable;
  try {
    const remote = { ...options.remote, log: options.remote?.log ?? ((line: string) => options.reporter.log.warn(line)) };
    stream = await openShardStream(shard, options.signal, remote);
  } catch (error) {
    fail(undefined, (error as Error).message);
    return;
  }
  const extract = tar.extract();
  stream.on('error', (error) => extract.destroy(error));
  stream.pipe(extract);

  const seenKeys = new Set<string>();
  let pending: PendingSample | undefined;
  let lastKey: string | undefined;
  let member: string | undefined;
  let index = 0;
  const flush = function* (): Generator<ShardSample> {
    const done = pending;
    pending = undefined;
    if (!done) return;
    if (done.poison !== undefined) fail(done.meta, done.poison);
    else yield { meta: done.meta, files: done.files };
  };

  try {
    try {
      for await (const entry of extract) {
        const { header } = entry;
        const parsed = parseMemberName(header.name);
        if ((header.type !== 'file' && header.type !== 'contiguous-file') || parsed.kind === 'ignored') {
          await readEntry(entry);
          continue;
        }
        if (parsed.kind === 'unsafe') {
          await readEntry(entry);
          fail({ key: header.name, shard, index }, `member name '${header.name}' ${parsed.reason}; refusing to use it`);
          continue;
        }
        if (pending && pending.meta.key !== parsed.key) yield* flush();
        member = header.name;
        const data = await readEntry(entry);
        member = undefined;
        if (!pending) {
          pending = { meta: { key: parsed.key, shard, index: index++ }, files: new Map() };
          if (strict && seenKeys.has(parsed.key)) {
            pending.poison = `key re-appears after key '${lastKey}' (members of one sample must be consecutive)`;
          }
          seenKeys.add(parsed.key);
          lastKey = parsed.key;
        }
        if (pending.files.has(parsed.extension)) {
          pending.poison ??= `duplicate member '${header.name}' (extension '${parsed.extension}' twice in one sample)`;
        }
        pending.files.set(parsed.extension, data);
      }
    } catch (error) {
      if (error instanceof StageError) throw error;
      const broken = pending;
      pending = undefined;
      const inMember = member === undefined ? '' : ` in member '${member}'`;
      const why = `tar unreadable${inMember} (${(error as Error).message}); rest of shard dropped`;
      const memberName = member === undefined ? undefined : parseMemberName(member);
      if (broken) fail(broken.meta, why, true);
      else if (memberName?.kind === 'member') fail({ key: memberName.key, shard, index }, why, true);
      else fail(undefined, lastKey === undefined ? why : `${why} after key '${lastKey}'`, true);
      return;
    }
    yield* flush();
  } finally {
    stream.destroy();
    extract.destroy();
    // A stopped read ends only once its source has closed, so what the source does on close (a remote shard's cache
    // writer drops its partial entry and releases its lock) is done when the reader moves on or the process exits.
    await closed(stream);
  }
}

async function readEntry(entry: AsyncIterable<unknown>): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) chunks.push(chunk as Buffer);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}
