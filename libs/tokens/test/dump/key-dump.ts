import type { TestContext } from 'node:test';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ShardWriter, type RemoteShardOptions } from '@vqrae/data';
import { createProgress, mapStage } from '@vqrae/graph';
import type { EncodeDumpJob, SampleBatch } from '../../src/dump/encode-dump.js';

// Shared by the dump bookkeeping tests (truncated shards, remote shards): a key-only dump and its fixtures.

/** A temporary folder removed when the test ends. */
export async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const ASSETS = path.resolve(import.meta.dirname, '../../../../assets/images');

export interface KeyRow {
  readonly key: string;
  readonly shard: string;
}

/** A dump job whose "model" just passes keys through (no tfjs): what is tested is the bookkeeping around it. */
export function keyDump(data: string, outDir: string, options: { readonly remote?: RemoteShardOptions; readonly failBatchWith?: string } = {}): EncodeDumpJob<KeyRow> {
  const { remote, failBatchWith } = options;
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  return {
    kind: 'keys',
    data,
    ...(remote ? { remote } : {}),
    outDir,
    rank: { rank: 0, worldSize: 1, source: 'test' },
    batchSize: 3,
    rowsPerFile: 100,
    onError: 'skip',
    protocol: { crop: 'center', size: 16 },
    encodeStage: mapStage(
      'keys',
      (batch: SampleBatch) => {
        if (batch.metas.some((m) => m.key === failBatchWith)) throw new Error('model failed on this batch');
        return batch.metas.map((m) => ({ key: m.key, shard: m.shard }));
      },
      { onError: 'skip' },
    ),
    rowsOf: (rows) => rows,
    encodeFile: (rows) => new TextEncoder().encode(rows.map((r) => r.key).join('\n') + '\n'),
    fingerprint: { kind: 'keys' },
    provenance: {},
    log: silent,
    progress: createProgress({ mode: 'quiet' }),
  };
}

export async function writtenKeys(dir: string): Promise<string[]> {
  const keys: string[] = [];
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith('.arrow')).sort()) {
    keys.push(...(await fs.readFile(path.join(dir, name), 'utf8')).trim().split('\n'));
  }
  return keys.sort();
}

/** The 10 bundled photos in one shard; resolves with its path and the keys. */
export async function photoShard(work: string): Promise<{ path: string; keys: string[] }> {
  const photos = (await fs.readdir(ASSETS)).filter((f) => f.endsWith('.jpg')).sort();
  const writer = new ShardWriter({ pattern: path.join(work, 'full/s-%06d.tar') });
  for (const photo of photos) await writer.write({ key: photo.replace(/\.jpg$/, ''), files: { jpg: await fs.readFile(path.join(ASSETS, photo)) } });
  const [full] = await writer.close();
  return { path: full!.path, keys: photos.map((p) => p.replace(/\.jpg$/, '')).sort() };
}
