import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { runEncodeDump } from '../../src/dump/encode-dump.js';
import { keyDump, photoShard, scratch, writtenKeys } from './key-dump.js';
import { mergeManifests, rankManifestName } from '../../src/index.js';
import { readManifest } from '../../src/index.js';

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
  const summary = await runEncodeDump(keyDump(full.path, out, { failBatchWith: 'city-night' })); // batches of 3: aurora,bubbles,city-night fail
  assert.equal(summary.shardsDone, 1);
  assert.equal(summary.seen, 10);
  assert.equal(summary.written, 7);
  assert.equal(summary.skipped, 3);
  const record = summary.manifest.inputs[0]!;
  assert.deepEqual(record.skips.map((s) => s.key), ['aurora', 'bubbles', 'city-night']);
  assert.match(record.skips[0]!.reason, /keys: model failed on this batch/);
  assert.deepEqual([...(await writtenKeys(out)), ...record.skips.map((s) => s.key)].sort(), full.keys, 'every sample is written or listed as skipped');
});
