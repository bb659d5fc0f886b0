import fs from 'node:fs/promises';
import { writeFileAtomic } from './atomic-file.js';
import { DumpRefusedError } from './errors.js';

export const MANIFEST_FORMAT = 'vqrae.dump-manifest/1';

/** One committed output file of a dump. Paths are relative to the output folder. */
export interface OutputFileRecord {
  readonly file: string;
  readonly shard: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface SampleSkip {
  readonly key: string;
  readonly reason: string;
}

/** What happened to one input shard. `done` means its outputs are complete and listed in `outputs`. */
export interface InputShardRecord {
  readonly shard: string;
  readonly status: 'done' | 'failed';
  readonly seen: number;
  readonly written: number;
  readonly skipped: number;
  readonly skips: readonly SampleSkip[];
  readonly files: readonly string[];
  readonly error?: string;
}

/** Per-rank manifest (or the merged dataset manifest when `rank` is null). Updated atomically after every shard. */
export interface DumpManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly kind: string;
  /** Identity of the job's inputs that must not change on resume (checkpoint sha256, protocol, dtype, ...). */
  readonly fingerprint: Record<string, string | number | boolean>;
  readonly rank: number | null;
  readonly worldSize: number;
  readonly provenance: Record<string, unknown>;
  /** Shards this rank owns (for the merged manifest: every shard of the job). */
  readonly assigned: readonly string[];
  readonly inputs: readonly InputShardRecord[];
  readonly outputs: readonly OutputFileRecord[];
  readonly updatedAt: string;
}

export async function readManifest(file: string): Promise<DumpManifest | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const manifest = JSON.parse(text) as DumpManifest;
  if (manifest.format !== MANIFEST_FORMAT) throw new Error(`manifest ${file}: unknown format ${JSON.stringify(manifest.format)}`);
  return manifest;
}

export async function writeManifest(file: string, manifest: DumpManifest): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(manifest, null, 2) + '\n');
}

/** Throws (a DumpRefusedError: the job is refused, exit 2, the folder untouched) when a resumed job would mix outputs of different checkpoints / protocols in one folder. */
export function assertSameFingerprint(existing: DumpManifest, fingerprint: DumpManifest['fingerprint'], file: string): void {
  const keys = new Set([...Object.keys(existing.fingerprint), ...Object.keys(fingerprint)]);
  const diffs = [...keys].filter((k) => existing.fingerprint[k] !== fingerprint[k]);
  if (diffs.length > 0) {
    const detail = diffs.map((k) => `${k}: ${JSON.stringify(existing.fingerprint[k])} → ${JSON.stringify(fingerprint[k])}`).join('; ');
    throw new DumpRefusedError(`resume refused: ${file} was written by a different job (${detail}); use a new --out folder`);
  }
}
