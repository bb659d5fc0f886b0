import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileWriteError } from '@vqrae/graph';
import { DumpCancelledError } from './errors.js';
import { sha256Hex } from './atomic-file.js';
import { acquireLock, type HeldLock } from './dump-lock.js';
import { DumpState, type ManifestHeader } from './dump-state.js';
import { assertSameFingerprint, type DumpManifest, type InputShardRecord, type OutputFileRecord, type SampleSkip } from './manifest.js';
import { assertNoOtherWorldSize } from './folder-locks.js';

/**
 * Exactly-once, resumable dumps. The unit of work is one whole input shard: its rows are written to part files under
 * temporary names, and only when the shard is complete are the parts fsync'd and renamed and the shard recorded
 * (one fsync'd journal line, see DumpState). A job killed at any moment and rerun with the same arguments therefore
 * redoes exactly the shards that are not recorded as done, after deleting their leftovers, so every input sample
 * appears exactly once. Batches never cross a shard boundary, so a shard's rows do not depend on which other shards
 * a rank owns. One process at a time per rank manifest: a lock beside it (see acquireLock) refuses a second live
 * writer, and a stale lock of a killed process is broken.
 */
export interface ShardRef {
  /** The shard as the user's spec named it (path or URL). */
  readonly url: string;
  /** Stable, filesystem-safe output stem, unique per url. */
  readonly id: string;
}

export function shardRef(url: string): ShardRef {
  const base = url.split(/[\\/]/).pop()!.replace(/\.(tar\.gz|tgz|tar)$/i, '').replace(/[^A-Za-z0-9_.-]/g, '_');
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return { url, id: `${base}-${hash}` };
}

export interface ShardOutcome {
  readonly seen: number;
  readonly skipped: number;
  readonly skips: readonly SampleSkip[];
}

export interface ExactlyOnceJob<Row> {
  readonly outDir: string;
  readonly manifestFile: string;
  readonly kind: string;
  readonly fingerprint: DumpManifest['fingerprint'];
  readonly provenance: Record<string, unknown>;
  readonly rank: number;
  readonly worldSize: number;
  readonly shards: readonly ShardRef[];
  readonly rowsPerFile: number;
  readonly fileExtension: string;
  /**
   * Encodes one output part (≤ rowsPerFile rows): one file named with `fileExtension`, or several files (e.g. every
   * format of `--format parquet,megatron`, a `.bin` + `.idx` pair, sidecars), each with its own extension. All files
   * of all parts of a shard are committed together, as one unit, before the shard is recorded as done.
   */
  encode(rows: readonly Row[]): Uint8Array | Promise<readonly PartFile[]>;
  /** Produces the shard's rows in order through `emit`; resolves with the shard's sample accounting. */
  processShard(shard: ShardRef, emit: (row: Row) => Promise<void>): Promise<ShardOutcome>;
  /** `throw` stops at the first failing shard; `skip` records it as failed and goes on. */
  readonly onShardError: 'throw' | 'skip';
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** One file of an output part: `<shard id>.<part><extension>`. */
export interface PartFile {
  /** Starts with a dot, e.g. `.parquet`, `.megatron.meta.json`. */
  readonly extension: string;
  readonly bytes: Uint8Array;
}

export interface ExactlyOnceSummary {
  /** Time spent encoding output files and writing/renaming them, ms. */
  readonly writeMs: number;
  readonly shardsDone: number;
  readonly shardsResumed: number;
  readonly shardsFailed: number;
  readonly seen: number;
  readonly written: number;
  readonly skipped: number;
  readonly manifest: DumpManifest;
}

function partName(shard: ShardRef, part: number, ext: string): string {
  return `${shard.id}.${String(part).padStart(4, '0')}${ext}`;
}

/** `<shard id>.<part>` of a part file name (committed or temporary), the shard id being `<base>-<8 hex>`. */
export const PART_FILE = /^\.?(.*-[0-9a-f]{8})\.\d{4,}\./;

/**
 * Deletes what earlier, interrupted runs of this job left for the shards it is about to (re)do: committed parts of
 * shards not recorded as done, and temporary files of those shards and of this rank's manifest. One directory
 * listing for the whole job (O(files), not O(shards × files)); other ranks' files are never touched.
 */
async function removeLeftovers(outDir: string, names: readonly string[], redo: ReadonlySet<string>, manifestFile: string): Promise<number> {
  const manifestTemp = `.${path.basename(manifestFile)}.tmp-`;
  let removed = 0;
  for (const name of names) {
    const id = PART_FILE.exec(name)?.[1];
    if ((id !== undefined && redo.has(id)) || name.startsWith(manifestTemp)) {
      await fs.rm(path.join(outDir, name), { force: true });
      removed += 1;
    }
  }
  return removed;
}

/** Shards recorded as done whose output files are not all in the folder any more: redone rather than trusted. */
function lostShards<Row>(job: ExactlyOnceJob<Row>, state: DumpState, present: ReadonlySet<string>): Set<string> {
  const lost = new Set<string>();
  for (const shard of job.shards) {
    const record = state.record(shard.url);
    if (record?.status !== 'done') continue;
    const missing = record.files.filter((f) => !present.has(f));
    if (missing.length === 0) continue;
    lost.add(shard.url);
    job.log(`shard ${shard.url} is recorded as done but ${missing.length} of its file(s) are missing (${missing[0]}): it is redone`);
  }
  return lost;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function runExactlyOnce<Row>(job: ExactlyOnceJob<Row>): Promise<ExactlyOnceSummary> {
  await fs.mkdir(job.outDir, { recursive: true });
  const lock: HeldLock = acquireLock(`${job.manifestFile}.lock`, { purpose: `${job.kind} dump rank ${job.rank}/${job.worldSize} into ${job.outDir}` });
  let state: DumpState | undefined;
  try {
    assertNoOtherWorldSize(job.outDir, job.worldSize);
    state = await DumpState.load(job.manifestFile);
    if (state.previous) assertSameFingerprint(state.previous, job.fingerprint, job.manifestFile);
    return await runLocked(job, state);
  } finally {
    await state?.close();
    lock.release();
  }
}

async function runLocked<Row>(job: ExactlyOnceJob<Row>, state: DumpState): Promise<ExactlyOnceSummary> {
  const header: ManifestHeader = {
    kind: job.kind,
    fingerprint: job.fingerprint,
    rank: job.rank,
    worldSize: job.worldSize,
    provenance: job.provenance,
    assigned: job.shards.map((s) => s.url),
  };
  const names = await fs.readdir(job.outDir); // one listing for the whole job
  const lost = lostShards(job, state, new Set(names));
  const isDone = (shard: ShardRef): boolean => state.record(shard.url)?.status === 'done' && !lost.has(shard.url);
  const resumed = job.shards.filter(isDone).length;
  const redo = new Set(job.shards.filter((s) => !isDone(s)).map((s) => s.id));
  const stale = await removeLeftovers(job.outDir, names, redo, job.manifestFile);
  if (stale > 0) job.log(`removed ${stale} file(s) left by an interrupted run`);
  if (resumed > 0) job.log(`resuming: ${resumed} of ${job.shards.length} shard(s) already complete`);
  await state.compact(header); // the manifest exists (with this job's header) from the start; the journal is folded in

  let failed = 0;
  let writeMs = 0;
  let cancelled = false;
  try {
    for (const shard of job.shards) {
      if (isDone(shard)) continue;
      if (job.signal?.aborted) {
        cancelled = true;
        break;
      }
      const temps: Array<{ temp: string; final: string; rows: number; bytes: number; sha256: string }> = [];
      let buffer: Row[] = [];
      let parts = 0;
      const flush = async (): Promise<void> => {
        if (buffer.length === 0) return;
        const started = performance.now();
        const encoded = await job.encode(buffer);
        const files: readonly PartFile[] = encoded instanceof Uint8Array ? [{ extension: job.fileExtension, bytes: encoded }] : encoded;
        const part = parts;
        parts += 1;
        for (const { extension, bytes } of files) {
          const final = partName(shard, part, extension);
          const temp = path.join(job.outDir, `.${final}.tmp-${process.pid}`);
          temps.push({ temp, final, rows: buffer.length, bytes: bytes.byteLength, sha256: sha256Hex(bytes) }); // removed on failure
          await fs.writeFile(temp, bytes).catch(async (error: unknown) => {
            await fs.rm(temp, { force: true }); // a full disk leaves no empty temporary behind
            throw fileWriteError(path.join(job.outDir, final), error);
          });
        }
        buffer = [];
        writeMs += performance.now() - started;
      };
      try {
        const outcome = await job.processShard(shard, async (row) => {
          buffer.push(row);
          if (buffer.length >= job.rowsPerFile) await flush();
        });
        await flush();
        // Rows counted once per part (every file of a part holds the same rows).
        const written = [...new Map(temps.map((t) => [PART_FILE.exec(t.final)![0], t.rows])).values()].reduce((n, rows) => n + rows, 0);
        if (outcome.seen !== written + outcome.skipped) {
          throw new Error(`accounting error: seen ${outcome.seen} ≠ written ${written} + skipped ${outcome.skipped}`);
        }
        const outputs: OutputFileRecord[] = [];
        for (const t of temps) {
          const handle = await fs.open(t.temp, 'r+');
          await handle.sync();
          await handle.close();
          await fs.rename(t.temp, path.join(job.outDir, t.final));
          outputs.push({ file: t.final, shard: shard.url, rows: t.rows, bytes: t.bytes, sha256: t.sha256 });
        }
        if (temps.length > 0) await fsyncDir(job.outDir); // the renames are durable before the record that lists them
        const record: InputShardRecord = {
          shard: shard.url,
          status: 'done',
          seen: outcome.seen,
          written,
          skipped: outcome.skipped,
          skips: outcome.skips,
          files: temps.map((t) => t.final),
        };
        await state.add(record, outputs, header, outputs.length > 0 ? 'fsync' : 'write');
      } catch (error) {
        for (const t of temps) await fs.rm(t.temp, { force: true });
        if (job.signal?.aborted) {
          cancelled = true;
          break;
        }
        if (job.onShardError === 'throw') throw error;
        failed += 1;
        const message = error instanceof Error ? error.message : String(error);
        job.log(`shard ${shard.url} failed and was skipped: ${message}`);
        // Buffered: losing a failed record only means the shard is retried, which the next run does anyway.
        await state.add({ shard: shard.url, status: 'failed', seen: 0, written: 0, skipped: 0, skips: [], files: [], error: message }, [], header, 'buffer');
      }
    }
  } catch (error) {
    await state.compact(header).catch(() => undefined); // best effort: the journal keeps the records otherwise
    throw error;
  }
  const final = await state.compact(header);
  if (cancelled) throw new DumpCancelledError(`${job.kind} dump cancelled (interrupted): finished shards are recorded; rerun the same command to resume`);
  const mine = job.shards.map((s) => state.record(s.url)).filter((r): r is InputShardRecord => r !== undefined);
  return {
    writeMs,
    shardsDone: mine.filter((i) => i.status === 'done').length,
    shardsResumed: resumed,
    shardsFailed: failed,
    seen: mine.reduce((n, i) => n + i.seen, 0),
    written: mine.reduce((n, i) => n + i.written, 0),
    skipped: mine.reduce((n, i) => n + i.skipped, 0),
    manifest: final,
  };
}
