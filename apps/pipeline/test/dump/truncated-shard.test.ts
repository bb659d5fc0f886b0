import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ShardWriter } from '@vqrae/data';
import { createProgress, mapStage } from '@vqrae/graph';
import { runEncodeDump, type EncodeDumpJob, type SampleBatch } from '../../src/dump/encode-dump.js';
import { mergeManifests, rankManifestName } from '../../src/dump/merge-manifests.js';
import { readManifest } from '../../src/dump/manifest.js';

const ASSETS = path.resolve(import.meta.dirname, '../../../../assets/images');

interface KeyRow {
  readonly key: string;
  readonly shard: string;
}

/** A dump job whose "model" just passes keys through (no tfjs): what is tested is the bookkeeping around it. */
function keyDump(data: string, outDir: string): EncodeDumpJob<KeyRow> {
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
    encodeStage: mapStage('keys', (batch: SampleBatch) => batch.metas.map((m) => ({ key: m.key, shard: m.shard }))),
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

test('truncated shard under --on-error skip is a failed shard, retried and completed on rerun; merge refuses it meanwhile (issue 14.1)', async () => {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-trunc-'));
  const photos = (await fs.readdir(ASSETS)).filter((f) => f.endsWith('.jpg')).sort();
  const writer = new ShardWriter({ pattern: path.join(work, 'full/s-%06d.tar') });
  for (const photo of photos) await writer.write({ key: photo.replace(/\.jpg$/, ''), files: { jpg: await fs.readFile(path.join(ASSETS, photo)) } });
  const [full] = await writer.close();
  const shard = path.join(work, 'data/s-000000.tar');
  await fs.mkdir(path.dirname(shard));
  // Cut the tar in the middle of the third member (as `head -c 80000` does in the issue).
  await fs.writeFile(shard, (await fs.readFile(full!.path)).subarray(0, 80_000));
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

  await fs.copyFile(full!.path, shard); // the shard is restored
  const second = await runEncodeDump(keyDump(shard, out));
  assert.equal(second.shardsResumed, 0, 'the failed shard is not "resumed": it is redone');
  assert.equal(second.shardsDone, 1);
  assert.equal(second.written, 10);
  assert.deepEqual(await writtenKeys(out), photos.map((p) => p.replace(/\.jpg$/, '')).sort(), 'every sample exactly once');
  assert.deepEqual((await mergeManifests(out, { verify: true })).problems, []);
});
