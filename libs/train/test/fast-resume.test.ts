import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '@vqrae/graph';
import { ShardWriter } from '@vqrae/data';
import { readStepLog, runTrainJob } from '../src/index.js';
import { largePhotoJpeg } from '../../../tools/testing/large-photos.js';
import { tempDir, tinyJob } from './fixtures.js';

let root = '';
let data = '';
before(async () => {
  root = await tempDir('fast-resume');
  // 640×480 JPEGs: every random-resized box of the tiny preset (32 px) is far above 3.75× the input, so all take the fast path.
  const writer = new ShardWriter({ pattern: path.join(root, 'photos-%03d.tar'), maxSamples: 100 });
  for (let i = 0; i < 10; i++) await writer.write({ key: `photo${String(i).padStart(3, '0')}`, files: { jpg: await largePhotoJpeg(i, 640, 480) } });
  data = (await writer.close())[0]!.path;
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('decode mode fast: a resumed run still reproduces the uninterrupted run step for step; exact trains on other pixels', async () => {
  const job = (out: string, extra = {}) => tinyJob({ data, out: path.join(root, out), steps: 6, checkpointEvery: 3, shuffleBuffer: 4, ...extra });
  const whole = await runTrainJob(job('whole'), silentLogger);
  assert.match(whole.graph, /decode\(sharp, random-resized\(32, .*\), fast\) → batch/);
  await runTrainJob(job('split', { stopAfterStep: 3 }), silentLogger);
  await runTrainJob(job('split', { resume: true }), silentLogger);
  const exact = await runTrainJob(job('exact', { decodeMode: 'exact' }), silentLogger);
  assert.match(exact.graph, /decode\(sharp\) → random-resized\(32, .*\) → batch/);
  const a = await readStepLog(path.join(root, 'whole', 'log'));
  const b = await readStepLog(path.join(root, 'split', 'log'));
  const c = await readStepLog(path.join(root, 'exact', 'log'));
  assert.equal(b.length, 6);
  for (let i = 0; i < 6; i++) {
    assert.ok(Math.abs(a[i]!['loss']! - b[i]!['loss']!) <= 1e-6, `step ${i + 1}: ${a[i]!['loss']} vs ${b[i]!['loss']}`);
    assert.equal(a[i]!['samples_total'], b[i]!['samples_total']);
  }
  // Same model, same order and crop boxes: the first step's loss differs only by the decoded pixels (a little).
  const first = [a[0]!['loss']!, c[0]!['loss']!];
  assert.ok(first[0] !== first[1] && Math.abs(first[0] - first[1]) / first[1] < 0.05, `step 1 loss fast ${first[0]} vs exact ${first[1]}`);
});
