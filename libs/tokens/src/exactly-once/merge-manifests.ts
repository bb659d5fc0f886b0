import fs from 'node:fs/promises';
import path from 'node:path';
import { parseTokenFormats, tokenFormatExtensions } from '../formats/registry.js';
import { sha256Hex } from './atomic-file.js';
import { ownerIsAlive, readLock } from './dump-lock.js';
import { readDumpManifest } from './dump-state.js';
import { PART_FILE } from './exactly-once.js';
import { MANIFEST_FORMAT, writeManifest, type DumpManifest } from './manifest.js';

export interface MergeReport {
  readonly manifest: DumpManifest;
  readonly problems: readonly string[];
}

/** Per-rank manifest file name; `merge-manifests` collects every file matching it. */
export function rankManifestName(rank: number, worldSize: number): string {
  return `manifest-rank${String(rank).padStart(5, '0')}-of-${String(worldSize).padStart(5, '0')}.json`;
}

const RANK_MANIFEST = /^manifest-rank(\d{5})-of-(\d{5})\.json$/;

/**
 * Merges the per-rank manifests of one output folder into the dataset manifest. Checks that all ranks of one world
 * size are present, that every rank belongs to the same job (fingerprint), that every assigned shard is done exactly
 * once, and (with verify) that every output file exists with the recorded size and sha256.
 */
export async function mergeManifests(outDir: string, opts: { verify: boolean }): Promise<MergeReport> {
  const files = (await fs.readdir(outDir)).filter((f) => RANK_MANIFEST.test(f)).sort();
  if (files.length === 0) throw new Error(`merge-manifests: no manifest-rank*-of-*.json files in ${outDir}`);
  const manifests: DumpManifest[] = [];
  for (const f of files) manifests.push((await readDumpManifest(path.join(outDir, f)))!); // journal included
  const problems: string[] = [];
  const worldSizes = new Set(manifests.map((m) => m.worldSize));
  if (worldSizes.size !== 1) problems.push(`manifests from different world sizes: ${[...worldSizes].join(', ')}`);
  const worldSize = manifests[0]!.worldSize;
  const ranks = new Set(manifests.map((m) => m.rank));
  for (let r = 0; r < worldSize; r++) if (!ranks.has(r)) problems.push(`rank ${r} of ${worldSize} has no manifest`);
  const fingerprint = JSON.stringify(manifests[0]!.fingerprint);
  for (const m of manifests) {
    if (JSON.stringify(m.fingerprint) !== fingerprint) problems.push(`rank ${m.rank} was written by a different job (fingerprint differs)`);
  }
  const owner = new Map<string, number>();
  for (const m of manifests) {
    for (const shard of m.assigned) {
      if (owner.has(shard)) problems.push(`shard ${shard} is assigned to ranks ${owner.get(shard)} and ${m.rank}`);
      owner.set(shard, m.rank ?? -1);
    }
  }
  const doneCount = new Map<string, number>();
  const failures = new Map<string, string>();
  for (const m of manifests) {
    for (const i of m.inputs) {
      if (i.status === 'done') doneCount.set(i.shard, (doneCount.get(i.shard) ?? 0) + 1);
      else failures.set(i.shard, i.error ?? i.status);
    }
  }
  for (const shard of owner.keys()) {
    const n = doneCount.get(shard) ?? 0;
    const failure = failures.get(shard);
    if (n === 0 && failure !== undefined) problems.push(`shard ${shard} failed (${failure}); rerun the dump to retry it`);
    else if (n !== 1) problems.push(`shard ${shard} is done ${n} times (expected exactly once)`);
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0); // code-unit order: fast, locale-free
  const inputs = manifests.flatMap((m) => m.inputs).sort((a, b) => byName(a.shard, b.shard));
  const outputs = manifests.flatMap((m) => m.outputs).sort((a, b) => byName(a.file, b.file));
  problems.push(...liveRanks(outDir, files), ...strayParts(await fs.readdir(outDir), outputs), ...incompleteFormats(manifests[0]!.fingerprint, inputs));
  if (opts.verify) {
    for (const o of outputs) {
      const bytes = await fs.readFile(path.join(outDir, o.file)).catch(() => undefined);
      if (!bytes) problems.push(`output ${o.file} is missing`);
      else if (bytes.byteLength !== o.bytes || sha256Hex(bytes) !== o.sha256) problems.push(`output ${o.file} does not match its recorded size/sha256`);
    }
  }
  const manifest: DumpManifest = {
    format: MANIFEST_FORMAT,
    kind: manifests[0]!.kind,
    fingerprint: manifests[0]!.fingerprint,
    rank: null,
    worldSize,
    provenance: manifests[0]!.provenance,
    assigned: [...owner.keys()].sort(),
    inputs,
    outputs,
    updatedAt: new Date().toISOString(),
  };
  if (problems.length === 0) await writeManifest(path.join(outDir, 'manifest.json'), manifest);
  return { manifest, problems };
}

/** Ranks whose lock a live process holds: their manifests are not final yet. */
function liveRanks(outDir: string, manifestFiles: readonly string[]): string[] {
  const problems: string[] = [];
  for (const file of manifestFiles) {
    const held = readLock(path.join(outDir, `${file}.lock`));
    if (held?.owner && ownerIsAlive(held.owner, held.mtimeMs)) {
      const [, rank, worldSize] = RANK_MANIFEST.exec(file)!;
      problems.push(`rank ${Number(rank)} of ${Number(worldSize)} is still running (pid ${held.owner.pid} on ${held.owner.hostname}); merge after it ends`);
    }
  }
  return problems;
}

/** Committed part files that no manifest lists (left by a killed run that was never resumed, or by another job). */
function strayParts(names: readonly string[], outputs: readonly { file: string }[]): string[] {
  const listed = new Set(outputs.map((o) => o.file));
  return names
    .filter((name) => !name.startsWith('.') && PART_FILE.test(name) && !listed.has(name))
    .map((name) => `${name} is not listed by any manifest (left by a killed run? rerun its rank to clean it up, or remove it)`);
}

/**
 * Token dumps with `--format`: every part of every done shard must have the files of every format (a `.bin` without
 * its `.idx`, a tar without its sidecar … is a problem naming the shard, the part and the missing file).
 */
function incompleteFormats(fingerprint: DumpManifest['fingerprint'], inputs: DumpManifest['inputs']): string[] {
  if (typeof fingerprint.formats !== 'string') return [];
  const expected = parseTokenFormats(fingerprint.formats).flatMap((f) => tokenFormatExtensions(f).map((ext) => ({ format: f, ext })));
  const problems: string[] = [];
  for (const input of inputs) {
    if (input.status !== 'done') continue;
    const parts = new Map<string, Set<string>>();
    for (const file of input.files) {
      const part = PART_FILE.exec(file)?.[0];
      if (part === undefined) continue;
      if (!parts.has(part)) parts.set(part, new Set());
      parts.get(part)!.add(file.slice(part.length - 1));
    }
    for (const [part, present] of parts) {
      for (const { format, ext } of expected) {
        if (!present.has(ext)) problems.push(`shard ${input.shard}: part ${part}… has no ${ext} file (format ${format})`);
      }
    }
  }
  return problems;
}
