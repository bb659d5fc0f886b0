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

/** What the committer of one rank's dump knows up front (everything of an ExactlyOnceJob but the shard producer). */
export type ShardCommitJob<Row> = Omit<ExactlyOnceJob<Row>, 'processShard'>;

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
function lostShards<Row>(job: ShardCommitJob<Row>, state: DumpState, present: ReadonlySet<string>): Set<string> {
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

/**
 * The exactly-once bookkeeping of one rank's dump, driven shard by shard: `open` takes the lock, checks the
 * fingerprint and the world size, replays the journal and removes leftovers of interrupted runs; then for each
 * shard still to do (`pending`): `begin`, `add` rows (parts are written under temporary names every `rowsPerFile`
 * rows), and `commit` (fsync + rename + one journal line) or `fail` / `discard`; `close` compacts the manifest and
 * releases the lock. `runExactlyOnce` (pull: one callback per shard) and `exactlyOnceSink` (push: a graph Sink that
 * commits at shard boundaries) are both built on it.
 */
export class ShardCommitter<Row> {
  private failed = 0;
  private writeMs = 0;
  private current: { shard: ShardRef; temps: TempPart[]; buffer: Row[]; parts: number } | undefined;

  private constructor(
    readonly job: ShardCommitJob<Row>,
    private readonly state: DumpState,
    private readonly lock: HeldLock,
    private readonly header: ManifestHeader,
    private readonly done: ReadonlySet<string>,
    /** Shards already complete when the job started. */
    readonly resumed: number,
  ) {}

  /** Takes the rank's lock and prepares the folder; throws DumpRefusedError when the dump must not start. */
  static async open<Row>(job: ShardCommitJob<Row>): Promise<ShardCommitter<Row>> {
    await fs.mkdir(job.outDir, { recursive: true });
    const lock: HeldLock = acquireLock(`${job.manifestFile}.lock`, { purpose: `${job.kind} dump rank ${job.rank}/${job.worldSize} into ${job.outDir}` });
    let state: DumpState | undefined;
    try {
      assertNoOtherWorldSize(job.outDir, job.worldSize);
      state = await DumpState.load(job.manifestFile);
      if (state.previous) assertSameFingerprint(state.previous, job.fingerprint, job.manifestFile);
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
      const loaded = state;
      const done = new Set(job.shards.filter((s) => loaded.record(s.url)?.status === 'done' && !lost.has(s.url)).map((s) => s.url));
      const redo = new Set(job.shards.filter((s) => !done.has(s.url)).map((s) => s.id));
      const stale = await removeLeftovers(job.outDir, names, redo, job.manifestFile);
      if (stale > 0) job.log(`removed ${stale} file(s) left by an interrupted run`);
      if (done.size > 0) job.log(`resuming: ${done.size} of ${job.shards.length} shard(s) already complete`);
      await state.compact(header); // the manifest exists (with this job's header) from the start; the journal is folded in
      return new ShardCommitter(job, state, lock, header, done, done.size);
    } catch (error) {
      await state?.close();
      lock.release();
      throw error;
    }
  }

  /** The job's shards not yet recorded as done, in order. */
  pending(): ShardRef[] {
    return this.job.shards.filter((s) => !this.done.has(s.url));
  }

  /** Starts collecting the rows of `shard` (the previous shard must be committed, failed or discarded). */
  begin(shard: ShardRef): void {
    if (this.current) throw new Error(`exactly-once: shard ${shard.url} begun while ${this.current.shard.url} is open`);
    this.current = { shard, temps: [], buffer: [], parts: 0 };
  }

  /** The shard being collected, if any. */
  get open(): ShardRef | undefined {
    return this.current?.shard;
  }

  /** Adds one row of the open shard; a full part is written under a temporary name. */
  async add(row: Row): Promise<void> {
    const unit = this.mustBeOpen('add');
    unit.buffer.push(row);
    if (unit.buffer.length >= this.job.rowsPerFile) await this.flush();
  }

  /** Commits the open shard as done (parts fsync'd and renamed, one journal line); checks seen = written + skipped. */
  async commit(outcome: ShardOutcome): Promise<void> {
    const unit = this.mustBeOpen('commit');
    try {
      await this.flush();
      // Rows counted once per part (every file of a part holds the same rows).
      const written = [...new Map(unit.temps.map((t) => [PART_FILE.exec(t.final)![0], t.rows])).values()].reduce((n, rows) => n + rows, 0);
      if (outcome.seen !== written + outcome.skipped) {
        throw new Error(`accounting error: seen ${outcome.seen} ≠ written ${written} + skipped ${outcome.skipped}`);
      }
      const outputs: OutputFileRecord[] = [];
      for (const t of unit.temps) {
        const handle = await fs.open(t.temp, 'r+');
        await handle.sync();
        await handle.close();
        await fs.rename(t.temp, path.join(this.job.outDir, t.final));
        outputs.push({ file: t.final, shard: unit.shard.url, rows: t.rows, bytes: t.bytes, sha256: t.sha256 });
      }
      if (unit.temps.length > 0) await fsyncDir(this.job.outDir); // the renames are durable before the record that lists them
      const record: InputShardRecord = {
        shard: unit.shard.url,
        status: 'done',
        seen: outcome.seen,
        written,
        skipped: outcome.skipped,
        skips: outcome.skips,
        files: unit.temps.map((t) => t.final),
      };
      await this.state.add(record, outputs, this.header, outputs.length > 0 ? 'fsync' : 'write');
      this.current = undefined;
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Records the open shard (or `shard`) as failed after removing its temporary parts; the next run retries it. */
  async fail(error: unknown, shard: ShardRef | undefined = this.current?.shard): Promise<void> {
    await this.discard();
    if (!shard) return;
    this.failed += 1;
    const message = error instanceof Error ? error.message : String(error);
    this.job.log(`shard ${shard.url} failed and was skipped: ${message}`);
    // Buffered: losing a failed record only means the shard is retried, which the next run does anyway.
    await this.state.add({ shard: shard.url, status: 'failed', seen: 0, written: 0, skipped: 0, skips: [], files: [], error: message }, [], this.header, 'buffer');
  }

  /** Drops the open shard's temporary parts (cancelled or failed run); nothing is recorded. */
  async discard(): Promise<void> {
    const unit = this.current;
    this.current = undefined;
    for (const t of unit?.temps ?? []) await fs.rm(t.temp, { force: true });
  }

  /**
   * Compacts the manifest and releases the lock. `cancelled`: throws DumpCancelledError after closing (finished
   * shards stay recorded). Returns the rank's summary over every shard it owns.
   */
  async close(options: { readonly cancelled?: boolean } = {}): Promise<ExactlyOnceSummary> {
    try {
      await this.discard();
      const final = await this.state.compact(this.header);
      if (options.cancelled) {
        throw new DumpCancelledError(`${this.job.kind} dump cancelled (interrupted): finished shards are recorded; rerun the same command to resume`);
      }
      const mine = this.job.shards.map((s) => this.state.record(s.url)).filter((r): r is InputShardRecord => r !== undefined);
      return {
        writeMs: this.writeMs,
        shardsDone: mine.filter((i) => i.status === 'done').length,
        shardsResumed: this.resumed,
        shardsFailed: this.failed,
        seen: mine.reduce((n, i) => n + i.seen, 0),
        written: mine.reduce((n, i) => n + i.written, 0),
        skipped: mine.reduce((n, i) => n + i.skipped, 0),
        manifest: final,
      };
    } finally {
      await this.state.close();
      this.lock.release();
    }
  }

  /** Closes after a failed job: temporaries removed, the manifest compacted (best effort), the lock released. */
  async abandon(): Promise<void> {
    try {
      await this.discard();
      await this.state.compact(this.header).catch(() => undefined); // best effort: the journal keeps the records otherwise
    } finally {
      await this.state.close();
      this.lock.release();
    }
  }

  private mustBeOpen(call: string): NonNullable<ShardCommitter<Row>['current']> {
    if (!this.current) throw new Error(`exactly-once: ${call} without an open shard`);
    return this.current;
  }

  /** Encodes the buffered rows as one part and writes its files under temporary names. */
  private async flush(): Promise<void> {
    const unit = this.mustBeOpen('flush');
    if (unit.buffer.length === 0) return;
    const started = performance.now();
    const rows = unit.buffer;
    unit.buffer = [];
    const encoded = await this.job.encode(rows);
    const files: readonly PartFile[] = encoded instanceof Uint8Array ? [{ extension: this.job.fileExtension, bytes: encoded }] : encoded;
    const part = unit.parts;
    unit.parts += 1;
    for (const { extension, bytes } of files) {
      const final = partName(unit.shard, part, extension);
      const temp = path.join(this.job.outDir, `.${final}.tmp-${process.pid}`);
      unit.temps.push({ temp, final, rows: rows.length, bytes: bytes.byteLength, sha256: sha256Hex(bytes) }); // removed on failure
      await fs.writeFile(temp, bytes).catch(async (error: unknown) => {
        await fs.rm(temp, { force: true }); // a full disk leaves no empty temporary behind
        throw fileWriteError(path.join(this.job.outDir, final), error);
      });
    }
    this.writeMs += performance.now() - started;
  }
}

interface TempPart {
  readonly temp: string;
  readonly final: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * Runs a dump shard by shard: `job.processShard` produces each pending shard's rows; a shard is committed when it
 * resolves, recorded as failed (`onShardError: 'skip'`) or stops the job (`'throw'`) when it rejects.
 */
export async function runExactlyOnce<Row>(job: ExactlyOnceJob<Row>): Promise<ExactlyOnceSummary> {
  const committer = await ShardCommitter.open(job);
  let cancelled = false;
  try {
    for (const shard of committer.pending()) {
      if (job.signal?.aborted) {
        cancelled = true;
        break;
      }
      committer.begin(shard);
      try {
        const outcome = await job.processShard(shard, (row) => committer.add(row));
        await committer.commit(outcome);
      } catch (error) {
        if (job.signal?.aborted) {
          await committer.discard();
          cancelled = true;
          break;
        }
        if (job.onShardError === 'throw') throw error;
        await committer.fail(error, shard);
      }
    }
  } catch (error) {
    await committer.abandon();
    throw error;
  }
  return committer.close({ cancelled });
}
