import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { fileWriteError, openForWrite, removeStaleTemporaries, writeAll, type OpenForWrite, type WritableFile } from '@vqrae/graph';
import { unsafePathReason } from './member-name.js';

/** Options of a `ShardWriter`. */
export interface ShardWriterOptions {
  /** Output path pattern with one printf-style integer field, e.g. `out/train-%06d.tar`. */
  readonly pattern: string;
  /** Start a new shard after this many samples (default 10 000). */
  readonly maxSamples?: number;
  /** Start a new shard before this many bytes would be exceeded (tar bytes incl. headers; default 3 GB). */
  readonly maxBytes?: number;
  /** Index of the first shard (default 0). */
  readonly startIndex?: number;
  /** Modification time written into every member (default 0 = 1970, for reproducible shards). */
  readonly mtime?: Date;
  /** How shard files are opened (default: the real file system; tests inject write failures). */
  readonly open?: OpenForWrite;
}

/** A sample to write: its key and its members by extension (written in the map's order). */
export interface WritableSample {
  readonly key: string;
  readonly files: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array>>;
}

/** One finished shard. */
export interface WrittenShard {
  readonly path: string;
  readonly samples: number;
  readonly bytes: number;
}

const TAR_BLOCK = 512;
const tarBytes = (size: number): number => TAR_BLOCK + Math.ceil(size / TAR_BLOCK) * TAR_BLOCK;

/** Formats `pattern` with `index` (`%d`, `%06d`, `%6d`); the pattern must contain exactly one such field. */
export function formatShardPath(pattern: string, index: number): string {
  const fields = pattern.match(/%0?\d*d/g) ?? [];
  if (fields.length !== 1) throw new Error(`ShardWriter: pattern '${pattern}' needs exactly one %d field (e.g. out-%06d.tar)`);
  return pattern.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) => String(index).padStart(Number(width || 0), zero ? '0' : ' '));
}

/** The shard being written: tar packer → pump → temporary file. */
interface OpenShard {
  readonly pack: tar.Pack;
  readonly file: WritableFile;
  /** Resolves when every packed byte reached the file; never rejects (failures land in `failure`). */
  pumped: Promise<void>;
  /** Rejects with the first write failure, so a writer waiting on the packer wakes up instead of hanging. */
  readonly failed: Promise<never>;
  failure: unknown;
  readonly path: string;
  readonly temp: string;
  samples: number;
  bytes: number;
}

/**
 * Writes samples into numbered tar shards that Python webdataset and `DatasetSpec` read back byte for byte.
 * Rolls over to the next shard by sample count and by size; each shard is written under a temporary name
 * (`<shard>.tmp-<pid>`), fsynced and renamed when complete, so a killed job never leaves a truncated `*.tar` behind.
 * A failed write (full disk) rejects `write()`/`close()` with an error naming the shard, and `abort()` removes the
 * temporary file; temporaries of dead processes matching the pattern are removed when the first shard starts. Keys
 * and extensions are validated so that reading gives back the same key (no dot in the key's basename, no `..`, not
 * absolute) and the same extension (lower case, no `/`); a key written twice into one shard is refused. Call
 * `close()` to finish the last shard (or `abort()` to drop it).
 */
export class ShardWriter {
  private readonly written: WrittenShard[] = [];
  private current: OpenShard | undefined;
  private currentKeys = new Set<string>();
  private nextIndex: number;
  private swept = false;

  constructor(readonly options: ShardWriterOptions) {
    formatShardPath(options.pattern, 0);
    this.nextIndex = options.startIndex ?? 0;
  }

  /** Shards finished so far. */
  get shards(): readonly WrittenShard[] {
    return this.written;
  }

  /** Appends one sample, starting a new shard first when this one would exceed a limit. */
  async write(sample: WritableSample): Promise<void> {
    const entries = sample.files instanceof Map ? [...sample.files] : Object.entries(sample.files);
    validateSample(sample.key, entries);
    // names over 100 bytes need a ustar prefix or a pax header (up to 2 more blocks)
    const longName = (extension: string): number => (Buffer.byteLength(`${sample.key}.${extension}`) > 100 ? 2 * TAR_BLOCK : 0);
    const sampleBytes = entries.reduce((sum, [extension, data]) => sum + tarBytes(data.length) + longName(extension), 0);
    const maxSamples = this.options.maxSamples ?? 10_000;
    const maxBytes = this.options.maxBytes ?? 3e9;
    const open = this.current;
    if (open && (open.samples + 1 > maxSamples || open.bytes + sampleBytes + 2 * TAR_BLOCK > maxBytes)) await this.finishShard();
    const shard = this.current ?? (await this.startShard());
    if (shard.failure !== undefined) throw fileWriteError(shard.path, shard.failure);
    if (this.currentKeys.has(sample.key)) {
      throw new Error(`ShardWriter: sample key '${sample.key}' written twice into '${shard.path}' (readers would see one sample with duplicate members)`);
    }
    this.currentKeys.add(sample.key);
    for (const [extension, data] of entries) {
      const packed = new Promise<void>((resolve, reject) => {
        const header = { name: `${sample.key}.${extension}`, size: data.length, mode: 0o644, mtime: this.options.mtime ?? new Date(0), uid: 0, gid: 0, uname: '', gname: '' };
        shard.pack.entry(header, Buffer.from(data.buffer, data.byteOffset, data.length), (error) => (error ? reject(error) : resolve()));
      });
      try {
        await Promise.race([packed, shard.failed]);
      } catch (error) {
        throw fileWriteError(shard.path, shard.failure ?? error);
      }
    }
    shard.samples += 1;
    shard.bytes += sampleBytes;
  }

  /** Finishes the open shard and returns every shard written. */
  async close(): Promise<readonly WrittenShard[]> {
    await this.finishShard();
    return this.written;
  }

  /** Drops the open shard's temporary file (finished shards stay). Safe after a failed write. */
  async abort(): Promise<void> {
    const shard = this.current;
    this.current = undefined;
    if (!shard) return;
    shard.pack.destroy();
    await shard.pumped;
    await shard.file.close().catch(() => undefined);
    await fs.promises.rm(shard.temp, { force: true });
  }

  private async startShard(): Promise<OpenShard> {
    const finalPath = formatShardPath(this.options.pattern, this.nextIndex++);
    const dir = path.dirname(path.resolve(finalPath));
    await fs.promises.mkdir(dir, { recursive: true });
    if (!this.swept) {
      this.swept = true;
      await removeStaleTemporaries(dir, (name) => isTemporaryOf(this.options.pattern, name));
    }
    const temp = `${finalPath}.tmp-${process.pid}`;
    let file: WritableFile;
    try {
      file = await (this.options.open ?? openForWrite)(temp);
    } catch (error) {
      throw fileWriteError(finalPath, error, 'create');
    }
    const pack = tar.pack();
    let fail: (error: unknown) => void = () => undefined;
    const failed = new Promise<never>((_resolve, reject) => (fail = reject));
    failed.catch(() => undefined); // observed through `failure` and the race in write()
    const shard: OpenShard = { pack, file, pumped: Promise.resolve(), failed, failure: undefined, path: finalPath, temp, samples: 0, bytes: 0 };
    const pump = async (): Promise<void> => {
      for await (const chunk of pack as AsyncIterable<Uint8Array>) await writeAll(file, chunk);
    };
    shard.pumped = pump().catch((error: unknown) => {
      shard.failure ??= error;
      fail(error);
      pack.destroy();
    });
    this.current = shard;
    this.currentKeys = new Set();
    return shard;
  }

  private async finishShard(): Promise<void> {
    const shard = this.current;
    if (!shard) return;
    this.current = undefined;
    shard.pack.finalize();
    await shard.pumped;
    try {
      if (shard.failure !== undefined) throw shard.failure;
      await shard.file.sync();
      await shard.file.close();
      await fs.promises.rename(shard.temp, shard.path);
    } catch (error) {
      await shard.file.close().catch(() => undefined);
      await fs.promises.rm(shard.temp, { force: true });
      throw fileWriteError(shard.path, error);
    }
    const bytes = (await fs.promises.stat(shard.path)).size;
    this.written.push({ path: shard.path, samples: shard.samples, bytes });
  }
}

/** True for `<shard>.tmp-<pid>` names of shards this pattern produces (same prefix and suffix around the number). */
function isTemporaryOf(pattern: string, name: string): boolean {
  const base = path.basename(pattern);
  const field = /%0?\d*d/.exec(base);
  if (!field) return false;
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const shape = new RegExp(`^${escape(base.slice(0, field.index))}\\s*\\d+${escape(base.slice(field.index + field[0].length))}\\.tmp-\\d+$`);
  return shape.test(name);
}

function validateSample(key: string, entries: readonly (readonly [string, Uint8Array])[]): void {
  const problem = (why: string): never => {
    throw new Error(`ShardWriter: sample key '${key}' ${why}`);
  };
  if (key === '') problem('is empty');
  const unsafe = unsafePathReason(key);
  if (unsafe) problem(unsafe);
  const base = key.slice(key.lastIndexOf('/') + 1);
  if (base === '' || base.startsWith('.') || base.includes('.')) problem('needs a basename without dots (readers split the key at the first dot)');
  if (entries.length === 0) problem('has no members');
  for (const [extension] of entries) {
    if (extension === '' || extension !== extension.toLowerCase() || extension.includes('/') || extension.startsWith('.')) {
      problem(`has an invalid extension '${extension}' (lower case, no leading dot, no '/')`);
    }
  }
}
