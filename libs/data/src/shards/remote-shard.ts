import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { closeAfter } from './close-after.js';
import { httpShardBytes, type HttpShardInfo } from './http-shard.js';
import type { RemoteShardOptions } from './remote-options.js';
import type { CacheHit, CacheWriter, ShardCache } from './shard-cache.js';

/**
 * The bytes of one `http(s)://` shard as a stream: from the cache when it holds a verified entry, else from the
 * server with retries (see `httpShardBytes`), written into the cache on the way when one is configured and no other
 * process is writing the same entry. The first bytes are available as soon as the server sends them. Rejects when
 * the shard cannot be fetched at all (so a missing shard is reported as unopenable, not as a broken tar); later
 * failures arrive as a stream error.
 */
export async function openRemoteShard(url: string, options: RemoteShardOptions = {}, signal?: AbortSignal): Promise<Readable> {
  const cache = options.cache;
  if (!cache) return primed(httpShardBytes(url, options, signal));
  let claim: Awaited<ReturnType<ShardCache['claim']>>;
  try {
    const cached = await openCached(cache, url);
    if (cached) return cached;
    claim = await cache.claim(url);
    if (claim === 'cached') {
      const now = await openCached(cache, url);
      if (now) return now;
    }
  } catch (error) {
    // A cache that cannot be used (read-only folder, full disk, …) must not fail a shard the server can deliver.
    options.log?.(`shard '${url}': cache ${cache.describe()} unusable (${(error as Error).message}); streaming without caching`);
    return primed(httpShardBytes(url, options, signal));
  }
  if (claim === 'busy' || claim === 'cached') {
    options.log?.(`shard '${url}': another process is caching it; streaming without caching`);
    return primed(httpShardBytes(url, options, signal));
  }
  return primed(fetchAndKeep(url, claim, cache, options, signal));
}

/** The shard from the server, written into the cache entry on the way; committed only once read to its end. */
async function* fetchAndKeep(url: string, writer: CacheWriter, cache: ShardCache, options: RemoteShardOptions, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let info: HttpShardInfo = {};
  let writing = true;
  let complete = false;
  try {
    for await (const bytes of httpShardBytes(url, options, signal, (first) => (info = first))) {
      if (writing) {
        try {
          await writer.write(bytes);
        } catch (error) {
          writing = false;
          options.log?.(`shard '${url}': not cached (${(error as Error).message})`);
          await writer.abandon();
        }
      }
      yield bytes;
    }
    complete = true;
  } finally {
    if (writing && !complete) await writer.abandon();
  }
  if (writing) {
    try {
      const evicted = await writer.commit(info);
      if (evicted.length > 0) options.log?.(`shard cache ${cache.describe()}: evicted ${evicted.length} least recently used shard(s)`);
    } catch (error) {
      options.log?.(`shard '${url}': not cached (${(error as Error).message})`);
    }
  }
}

/**
 * The cache entry of `url` as a stream, or undefined when there is none. The file is opened before streaming starts,
 * so an entry another process evicts meanwhile is either read whole (an open file survives its removal) or a miss.
 */
async function openCached(cache: ShardCache, url: string): Promise<Readable | undefined> {
  const hit = await cache.lookup(url);
  if (!hit) return undefined;
  const handle = await fs.promises.open(hit.file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  return primed(readCached(cache, url, hit, handle));
}

/** Streams a cache entry, checking its sha256 at the end; a mismatch removes the entry and fails the shard. */
async function* readCached(cache: ShardCache, url: string, hit: CacheHit, handle: fs.promises.FileHandle): AsyncGenerator<Uint8Array> {
  const hash = createHash('sha256');
  let length = 0;
  for await (const chunk of handle.createReadStream({ highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    length += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (length !== hit.meta.length || hash.digest('hex') !== hit.meta.sha256) {
    await cache.remove(url);
    throw new Error(`cached copy '${hit.file}' of shard '${url}' fails its integrity check (length or sha256); entry removed, it will be fetched again`);
  }
}

/** Waits for the first chunk (rejecting if it fails), then streams it and the rest. */
async function primed(chunks: AsyncGenerator<Uint8Array>): Promise<Readable> {
  const first = await chunks.next();
  const all = async function* (): AsyncGenerator<Uint8Array> {
    try {
      if (first.done) return;
      yield first.value;
      yield* chunks;
    } finally {
      await chunks.return(undefined);
    }
  };
  // Destroyed before its first read, `all()` never starts and would not end `chunks` itself: the stream's 'close'
  // waits for `chunks` to end (connection closed, a cache writer's partial entry and lock dropped).
  return closeAfter(Readable.from(all(), { objectMode: false }), () => chunks.return(undefined));
}
