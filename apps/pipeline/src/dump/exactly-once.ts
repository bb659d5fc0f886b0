import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeStaleTempFiles, sha256Hex } from './atomic-file.js';
import {
  MANIFEST_FORMAT,
  assertSameFingerprint,
  readManifest,
  writeManifest,
  type DumpManifest,
  type InputShardRecord,
  type OutputFileRecord,
  type SampleSkip,
} from './manifest.js';

/**
 * Exactly-once, resumable dumps. The unit of work is one whole input shard: its rows are written to part files under
 * temporary names, and only when the shard is complete are the parts renamed and the manifest (atomically) updated.
 * A job killed at any moment and rerun with the same arguments therefore redoes exactly the shards that are not in
 * the manifest, after deleting their leftovers, so every input sample appears exactly once. Batches never cross a
 * shard boundary, so a shard's rows do not depend on which other shards a rank owns.
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
  /** Encodes one output file (≤ rowsPerFile rows). */
  encode(rows: readonly Row[]): Uint8Array;
  /** Produces the shard's rows in order through `emit`; resolves with the shard's sample accounting. */
  processShard(shard: ShardRef, emit: (row: Row) => Promise<void>): Promise<ShardOutcome>;
  /** `throw` stops at the first failing shard; `skip` records it as failed and goes on. */
  readonly onShardError: 'throw' | 'skip';
  readonly log: (line: string) => void;
  readonly signal?: AbortSignal;
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

async function removeCommittedParts(outDir: string, shard: ShardRef): Promise<void> {
  for (const name of await fs.readdir(outDir)) if (name.startsWith(`${shard.id}.`)) await fs.rm(path.join(outDir, name), { force: true });
}

export async function runExactlyOnce<Row>(job: ExactlyOnceJob<Row>): Promise<ExactlyOnceSummary> {
  await fs.mkdir(job.outDir, { recursive: true });
  const stale = await removeStaleTempFiles(job.outDir);
  if (stale > 0) job.log(`removed ${stale} temporary file(s) left by an interrupted run`);
  const previous = await readManifest(job.manifestFile);
  if (previous) assertSameFingerprint(previous, job.fingerprint, job.manifestFile);
  const done = new Map<string, InputShardRecord>();
  const outputs: OutputFileRecord[] = [];
  for (const input of previous?.inputs ?? []) if (input.status === 'done') done.set(input.shard, input);
  for (const output of previous?.outputs ?? []) if (done.has(output.shard)) outputs.push(output);
  const inputs: InputShardRecord[] = [...done.values()];
  const resumed = [...done.keys()].filter((url) => job.shards.some((s) => s.url === url)).length;
  if (resumed > 0) job.log(`resuming: ${resumed} of ${job.shards.length} shard(s) already complete`);

  const manifest = (): DumpManifest => ({
    format: MANIFEST_FORMAT,
    kind: job.kind,
    fingerprint: job.fingerprint,
    rank: job.rank,
    worldSize: job.worldSize,
    provenance: job.provenance,
    assigned: job.shards.map((s) => s.url),
    inputs: [...inputs].sort((a, b) => a.shard.localeCompare(b.shard)),
    outputs: [...outputs].sort((a, b) => a.file.localeCompare(b.file)),
    updatedAt: new Date().toISOString(),
  });

  let failed = 0;
  let writeMs = 0;
  for (const shard of job.shards) {
    if (done.has(shard.url)) continue;
    if (job.signal?.aborted) break;
    await removeCommittedParts(job.outDir, shard);
    const temps: Array<{ temp: string; final: string; rows: number; bytes: number; sha256: string }> = [];
    let buffer: Row[] = [];
    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const started = performance.now();
      const bytes = job.encode(buffer);
      const final = partName(shard, temps.length, job.fileExtension);
      const temp = path.join(job.outDir, `.${final}.tmp-${process.pid}`);
      await fs.writeFile(temp, bytes);
      temps.push({ temp, final, rows: buffer.length, bytes: bytes.byteLength, sha256: sha256Hex(bytes) });
      buffer = [];
      writeMs += performance.now() - started;
    };
    try {
      const outcome = await job.processShard(shard, async (row) => {
        buffer.push(row);
        if (buffer.length >= job.rowsPerFile) await flush();
      });
      await flush();
      const written = temps.reduce((n, t) => n + t.rows, 0);
      if (outcome.seen !== written + outcome.skipped) {
        throw new Error(`accounting error: seen ${outcome.seen} ≠ written ${written} + skipped ${outcome.skipped}`);
      }
      for (const t of temps) {
        const handle = await fs.open(t.temp, 'r+');
        await handle.sync();
        await handle.close();
        await fs.rename(t.temp, path.join(job.outDir, t.final));
        outputs.push({ file: t.final, shard: shard.url, rows: t.rows, bytes: t.bytes, sha256: t.sha256 });
      }
      const record: InputShardRecord = {
        shard: shard.url,
        status: 'done',
        seen: outcome.seen,
        written,
        skipped: outcome.skipped,
        skips: outcome.skips,
        files: temps.map((t) => t.final),
      };
      inputs.push(record);
      done.set(shard.url, record);
      await writeManifest(job.manifestFile, manifest());
    } catch (error) {
      for (const t of temps) await fs.rm(t.temp, { force: true });
      if (job.onShardError === 'throw' || job.signal?.aborted) throw error;
      failed += 1;
      const message = error instanceof Error ? error.message : String(error);
      job.log(`shard ${shard.url} failed and was skipped: ${message}`);
      inputs.push({ shard: shard.url, status: 'failed', seen: 0, written: 0, skipped: 0, skips: [], files: [], error: message });
      await writeManifest(job.manifestFile, manifest());
    }
  }
  const final = manifest();
  const mine = final.inputs.filter((i) => job.shards.some((s) => s.url === i.shard));
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
