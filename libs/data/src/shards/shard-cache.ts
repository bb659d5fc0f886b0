import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileWriteError, removeStaleTemporaries, temporaryPathFor, writeAll, writeFileAtomic } from '@vqrae/graph';
import { tryLock, type EntryLock } from './cache-lock.js';
import { expectedSha256 } from './http-shard.js';

/** What the cache keeps beside each shard (`<entry>.json`) to verify it on every read. */
export interface CacheEntryMeta {
  readonly url: string;
  readonly length: number;
  readonly sha256: string;
  readonly etag?: string;
  readonly cachedAt: string;
}

/** A verified cache hit: the file to read and what its bytes must hash to. */
export interface CacheHit {
  readonly file: string;
  readonly meta: CacheEntryMeta;
}

/** Where one shard's entry lives in the cache folder. */
interface EntryPaths {
  readonly data: string;
  readonly meta: string;
  readonly lock: string;
}

/**
 * A size-bounded, least-recently-used local cache of remote shards, safe for several processes sharing the folder:
 * - an entry is `<dir>/<sha256(url)[0:16]>-<file name>` plus `<entry>.json` (URL, length, sha256, ETag);
 * - an entry is written by one process only (an exclusive `<entry>.lock`; a process that finds it taken streams the
 *   shard without caching), through a temporary file renamed into place after its length matched the server's
 *   `Content-Length`; readers therefore see a complete entry or none;
 * - a hit is checked before use (length from `stat`, URL from the side file) and while read (sha256; a mismatch fails
 *   the shard like a truncated one and removes the entry);
 * - every hit refreshes the entry's mtime; after each new entry the oldest entries are removed until the folder's
 *   entries fit in `maxBytes` (an entry bigger than the whole budget is removed too).
 * Entries are never revalidated against the server: shards are treated as immutable, as webdataset does.
 */
export class ShardCache {
  readonly dir: string;
  readonly maxBytes: number;
  private swept = false;

  constructor(options: { readonly dir: string; readonly maxBytes: number }) {
    if (!(options.maxBytes > 0)) throw new Error(`shard cache '${options.dir}': size must be > 0 bytes, got ${options.maxBytes}`);
    this.dir = path.resolve(options.dir);
    this.maxBytes = options.maxBytes;
  }

  /** e.g. `cache(/data/cache, 50 GB)`. */
  describe(): string {
    return `cache(${this.dir}, ${formatBytes(this.maxBytes)})`;
  }

  private paths(url: string): EntryPaths {
    const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '').replace(/[^\w.-]/g, '_').slice(-100);
    const data = path.join(this.dir, `${digest}-${name || 'shard'}`);
    return { data, meta: `${data}.json`, lock: `${data}.lock` };
  }

  private async ready(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true }).catch((error: unknown) => {
      throw fileWriteError(this.dir, error, 'create the shard cache folder');
    });
    if (this.swept) return;
    this.swept = true;
    await removeStaleTemporaries(this.dir, (name) => name.startsWith('.'));
  }

  /** The entry for `url` when it is complete and consistent (and marks it used), else undefined. */
  async lookup(url: string): Promise<CacheHit | undefined> {
    const paths = this.paths(url);
    try {
      const [stat, text] = await Promise.all([fs.stat(paths.data), fs.readFile(paths.meta, 'utf8')]);
      const meta = JSON.parse(text) as CacheEntryMeta;
      if (meta.url !== url || meta.length !== stat.size || typeof meta.sha256 !== 'string') return undefined;
      const pinned = expectedSha256(url);
      if (pinned !== undefined && meta.sha256 !== pinned) return undefined;
      const now = new Date();
      await fs.utimes(paths.data, now, now).catch(() => undefined); // a read-only cache still serves hits
      return { file: paths.data, meta };
    } catch {
      return undefined;
    }
  }

  /**
   * Claims the right to write `url`'s entry: a writer, `'cached'` when another process completed the entry meanwhile
   * (read it with `lookup`), or `'busy'` while another process writes it.
   */
  async claim(url: string): Promise<CacheWriter | 'cached' | 'busy'> {
    await this.ready();
    const paths = this.paths(url);
    const lock = await tryLock(paths.lock);
    if (!lock) return 'busy';
    if (await this.lookup(url)) {
      await lock.release();
      return 'cached';
    }
    return new CacheWriter(this, url, paths, lock);
  }

  /** Removes the entry of `url` (a failed integrity check). */
  async remove(url: string): Promise<void> {
    const paths = this.paths(url);
    await fs.rm(paths.data, { force: true });
    await fs.rm(paths.meta, { force: true });
  }

  /** Removes least-recently-used entries until the entries fit in `maxBytes`; returns the removed files. */
  async evict(): Promise<string[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    const entries: { file: string; size: number; used: number }[] = [];
    for (const name of names) {
      if (name.startsWith('.') || !names.includes(`${name}.json`)) continue;
      const stat = await fs.stat(path.join(this.dir, name)).catch(() => undefined);
      if (stat?.isFile()) entries.push({ file: path.join(this.dir, name), size: stat.size, used: stat.mtimeMs });
    }
    entries.sort((a, b) => a.used - b.used || a.file.localeCompare(b.file));
    let total = entries.reduce((sum, e) => sum + e.size, 0);
    const removed: string[] = [];
    for (const entry of entries) {
      if (total <= this.maxBytes) break;
      await fs.rm(entry.file, { force: true });
      await fs.rm(`${entry.file}.json`, { force: true });
      total -= entry.size;
      removed.push(entry.file);
    }
    return removed;
  }
}

/** Writes one entry while its shard streams by; see {@link ShardCache}. */
export class CacheWriter {
  private readonly temp: string;
  private handle: fs.FileHandle | undefined;
  private readonly hash = createHash('sha256');
  private length = 0;
  private lastRefresh = Date.now();

  constructor(
    private readonly cache: ShardCache,
    private readonly url: string,
    private readonly paths: EntryPaths,
    private readonly lock: EntryLock,
  ) {
    this.temp = temporaryPathFor(paths.data);
  }

  /** Appends the next bytes of the shard. */
  async write(bytes: Uint8Array): Promise<void> {
    try {
      this.handle ??= await fs.open(this.temp, 'w');
      await writeAll(this.handle, bytes);
    } catch (error) {
      throw fileWriteError(this.temp, error);
    }
    this.hash.update(bytes);
    this.length += bytes.length;
    if (Date.now() - this.lastRefresh > 30_000) {
      this.lastRefresh = Date.now();
      await this.lock.refresh();
    }
  }

  /**
   * Completes the entry: checks the length against the server's `Content-Length` (when sent), fsyncs, writes the
   * side file, renames the shard into place, releases the lock and evicts. Returns the files evicted.
   */
  async commit(server: { readonly contentLength?: number; readonly etag?: string }): Promise<string[]> {
    try {
      if (server.contentLength !== undefined && server.contentLength !== this.length) {
        throw new Error(`cache entry for '${this.url}' has ${this.length} bytes, the server announced ${server.contentLength}`);
      }
      this.handle ??= await fs.open(this.temp, 'w');
      await this.handle.sync();
      await this.handle.close();
      this.handle = undefined;
      const meta: CacheEntryMeta = {
        url: this.url,
        length: this.length,
        sha256: this.hash.digest('hex'),
        ...(server.etag !== undefined ? { etag: server.etag } : {}),
        cachedAt: new Date().toISOString(),
      };
      await writeFileAtomic(this.paths.meta, `${JSON.stringify(meta, null, 2)}\n`, { sweep: false });
      await fs.rename(this.temp, this.paths.data);
    } catch (error) {
      await this.abandon();
      throw error;
    }
    await this.lock.release();
    return this.cache.evict();
  }

  /** Drops the partial entry (the shard was not read to its end, or a write failed) and releases the lock. */
  async abandon(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
    await fs.rm(this.temp, { force: true });
    await this.lock.release();
  }
}

/** `50 GB`, `12 MB`, `300 B` (powers of 1000, as the `--cache-size` option reads them). */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [['TB', 1e12], ['GB', 1e9], ['MB', 1e6], ['kB', 1e3]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(2))} ${unit}`;
  }
  return `${bytes} B`;
}

/** Parses `50GB`, `500 MB`, `2GiB`, `1e9`, `123` (bytes) into bytes; throws naming the text otherwise. */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!match) throw new Error(`'${text}' is not a size (examples: 500MB, 50GB, 2GiB, 1000000)`);
  const unit = (match[2] ?? 'b').toLowerCase().replace(/b$/, '');
  const powers: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };
  const bytes = Math.round(Number(match[1]) * (powers[unit] ?? NaN));
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new Error(`'${text}' is not a positive size in bytes`);
  return bytes;
}
