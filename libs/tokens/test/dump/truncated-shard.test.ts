import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ShardWriter } from '@vqrae/data';
import { createProgress, mapStage } from '@vqrae/graph';
import { runEncodeDump, type EncodeDumpJob, type SampleBatch } from '../../src/dump/encode-dump.js';
import { mergeManifests, rankManifestName } from '../../src/index.js';
import { readManifest } from '../../src/index.js';

/** A temporary folder removed when the test ends. */
async function scratch(t: TestContext, prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

const ASSETS = path.resolve(import.meta.dirname, '../../../../assets/images');

interface KeyRow {
  readonly key: string;
  readonly shard: string;
}

/** A dump job whose "model" just passes keys through (no tfjs): what is tested is the bookkeeping around it. */
function keyDump(data: string, outDir: string, failBatchWith?: string): EncodeDumpJob<KeyRow> {
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  return {
    kind: 'keys',
    data,
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

async function writtenKeys(dir: string): Promise<string[]> {
  const keys: string[] = [];
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith('.arrow')).sort()) {
    keys.push(...(await fs.readFile(path.join(dir, name), 'utf8')).trim().split('\n'));
  }
  return keys.sort();
}

/** The 10 bundled photos in one shard; resolves with its path and the keys. */
async function photoShard(work: string): Promise<{ path: string; keys: string[] }> {
  const photos = (await fs.readdir(ASSETS)).filter((f) => f.endsWith('.jpg')).sort();
  const writer = new ShardWriter({ pattern: path.join(work, 'full/s-%06d.tar') });
  for (const photo of photos) await writer.write({ key: photo.replace(/\.jpg$/, ''), files: { jpg: await fs.readFile(path.join(ASSETS, photo)) } });
  const [full] = await writer.close();
  return { path: full!.path, keys: photos.map((p) => p.replace(/\.jpg$/, '')).sort() };
}

test('truncated shard under --on-error skip is a failed shard, retried and completed on rerun; merge refuses it meanwhile (issue 14.1)', async (t) => {
  const work = await scratch(t, 'vqrae-trunc-');
  const full = await photoShard(work);
  const shard = path.join(work, 'data/s-000000.tar');
  await fs.mkdir(path.dirname(shard));
  // Cut the tar in the middle of the third member (as `head -c 80000` does in the issue).
  await fs.writeFile(shard, (await fs.readFile(full.path)).subarray(0, 80_000));
  const out = path.join(work, 'tok');

  const first = await runEncodeDump(keyDump(shard, out));
  assert.equal(first.shardsFailed, 1, 'a shard whose tar stream ends early is a failed shard, not a skipped sample');
  assert.equal(first.shardsDone, 0);
  assert.equal(first.written, 0, 'no rows of the failed shard are committed');
  const manifest = (await readManifest(path.join(out, rankManifestName(0, 1))))!;
  const record = manifest.inputs.find((i) => i.shard === shard)!;
  assert.equal(record.status, 'failed');
  assert.match(record.error!, /ends early/);
  assert.match(record.error!, /city-night/, 'the error names where the stream was cut');
  assert.deepEqual(await writtenKeys(out), []);
  const merged = await mergeManifests(out, { verify: true });
  assert.match(merged.problems.join('\n'), /s-000000\.tar.*failed/, 'merge-manifests fails while a shard is failed');

  await fs.copyFile(full.path, shard); // the shard is restored
  const second = await runEncodeDump(keyDump(shard, out));
  assert.equal(second.shardsResumed, 0, 'the failed shard is not "resumed": it is redone');
  assert.equal(second.shardsDone, 1);
  assert.equal(second.written, 10);
  assert.deepEqual(await writtenKeys(out), full.keys, 'every sample exactly once');
  assert.deepEqual((await mergeManifests(out, { verify: true })).problems, []);
});

test('a batch the model fails on under --on-error skip lists each of its samples as skipped, by key; the shard balances (issue 14.1, same class)', async (t) => {
  const work = await scratch(t, 'vqrae-batch-skip-');
  const full = await photoShard(work);
  const out = path.join(work, 'tok');
  const summary = await runEncodeDump(keyDump(full.path, out, 'city-night')); // batches of 3: aurora,bubbles,city-night fail
  assert.equal(summary.shardsDone, 1);
  assert.equal(summary.seen, 10);
  assert.equal(summary.written, 7);
  assert.equal(summary.skipped, 3);
  const record = summary.manifest.inputs[0]!;
  assert.deepEqual(record.skips.map((s) => s.key), ['aurora', 'bubbles', 'city-night']);
  assert.match(record.skips[0]!.reason, /keys: model failed on this batch/);
  assert.deepEqual([...(await writtenKeys(out)), ...record.skips.map((s) => s.key)].sort(), full.keys, 'every sample is written or listed as skipped');
});
