import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '@vqrae/graph';
import { DatasetSpec, ShardWriter } from '@vqrae/data';
import { readStepLog } from '../src/step-log.js';
import { runTrainJob } from '../src/train-job.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

let root = '';
let data = '';
before(async () => {
  root = await tempDir('skip');
  const good = await writeSyntheticShards(path.join(root, 'good'), 'img', 20, 20);
  // One shard with a corrupt PNG as its 6th sample (inside the first epoch, before the resume point).
  const writer = new ShardWriter({ pattern: path.join(root, 'mixed-%03d.tar'), maxSamples: 100 });
  let i = 0;
  for await (const sample of new DatasetSpec({ shards: good }).open({ epoch: 0 })) {
    await writer.write({ key: sample.meta.key, files: Object.fromEntries(sample.files) });
    if (i++ === 4) await writer.write({ key: 'broken0000', files: { png: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]) } });
  }
  data = (await writer.close())[0]!.path;
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('onError skip: a bad image is skipped and counted, and a resumed run still matches the uninterrupted run', async () => {
  const job = (out: string, extra = {}) => tinyJob({ data, out, steps: 6, checkpointEvery: 3, onError: 'skip', shuffleBuffer: 1, ...extra });
  const whole = await runTrainJob(job(path.join(root, 'whole')), silentLogger);
  const decode = whole.summary.stages.find((s) => s.name === 'decode')!;
  // Epoch 1 skips it; the read-ahead may reach it again in epoch 2 before the run stops.
  assert.ok(decode.skipped >= 1, 'the broken sample is a counted skip');
  // Samples still being decoded when the run stops are neither emitted nor skipped.
  assert.ok(decode.seen >= decode.emitted + decode.skipped);
  await runTrainJob(job(path.join(root, 'split'), { stopAfterStep: 3 }), silentLogger);
  await runTrainJob(job(path.join(root, 'split'), { resume: true }), silentLogger);
  const a = await readStepLog(path.join(root, 'whole', 'log'));
  const b = await readStepLog(path.join(root, 'split', 'log'));
  assert.equal(b.length, 6);
  for (let i = 0; i < 6; i++) {
    assert.ok(Math.abs(a[i]!['loss']! - b[i]!['loss']!) <= 1e-6, `step ${i + 1}: ${a[i]!['loss']} vs ${b[i]!['loss']}`);
    assert.equal(a[i]!['samples_total'], b[i]!['samples_total']);
  }
  // Every source sample is accounted for: 6 steps × 4 trained images + the 1 skipped before them = 25 consumed
  // (epoch 1 has 21 samples, so the run wraps into epoch 2).
  assert.equal(a[5]!['samples_total'], 25);
  assert.equal(a[5]!['epoch'], 1);
});
