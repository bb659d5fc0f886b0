import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { SafetensorsFile } from '@vqrae/nn';
import { loadCheckpoint } from '@vqrae/tokenizer';
import { readStepLog } from '../src/step-log.js';
import { runTrainJob } from '../src/train-job.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

let data = '';
let held = '';
let root = '';
before(async () => {
  root = await tempDir('job');
  data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 24, 10);
  held = await writeSyntheticShards(path.join(root, 'shards'), 'val', 8, 8, 1000);
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('a resumed run reproduces the uninterrupted run step for step (tiny preset, N + N vs 2N)', async () => {
  const whole = path.join(root, 'whole');
  const split = path.join(root, 'split');
  await runTrainJob(tinyJob({ data, out: whole, steps: 10, checkpointEvery: 5 }), silentLogger);
  // First half: the same schedule (10 steps) stopped after step 5, then resumed from its checkpoint.
  await runTrainJob(tinyJob({ data, out: split, steps: 10, checkpointEvery: 5, stopAfterStep: 5 }), silentLogger);
  assert.equal((await readStepLog(path.join(split, 'log'))).length, 5);
  await runTrainJob(tinyJob({ data, out: split, steps: 10, checkpointEvery: 5, resume: true }), silentLogger);
  const a = await readStepLog(path.join(whole, 'log'));
  const b = await readStepLog(path.join(split, 'log'));
  assert.equal(a.length, 10);
  assert.equal(b.length, 10);
  for (let i = 0; i < 10; i++) {
    assert.ok(Math.abs(a[i]!['loss']! - b[i]!['loss']!) <= 1e-6, `step ${i + 1}: ${a[i]!['loss']} vs ${b[i]!['loss']}`);
    assert.equal(a[i]!['samples_total'], b[i]!['samples_total']);
  }
});

test('stage 2 from the stage-1 run: teacher saved, distillation logged from 0, drift evaluated, EMA model loads', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'stage2');
  const result = await runTrainJob(
    tinyJob({ data, evalData: held, out, stage: 2, from: path.join(root, 'whole'), steps: 3, checkpointEvery: 0, evalEvery: 3, evalImages: 4 }),
    silentLogger,
  );
  assert.equal(result.stepsDone, 3);
  const rows = await readStepLog(path.join(out, 'log'));
  assert.equal(rows[0]!['loss_distill'], 0, 'student = teacher at the first step');
  assert.ok(rows[2]!['loss_distill']! > 0);
  assert.ok('lr_encoder' in rows[0]! && rows[0]!['lr_encoder']! < rows[0]!['lr_base']!);
  assert.equal(result.firstEval?.driftMse, 0);
  assert.ok((result.lastEval?.driftMse ?? 0) > 0);
  const teacher = await SafetensorsFile.open(path.join(out, 'teacher.safetensors'));
  assert.ok(teacher.keys().length > 0 && teacher.keys().every((k) => k.startsWith('vision_model.')));
  await teacher.close();
  const model = await loadCheckpoint(result.emaModelFile);
  assert.equal(model.config.preset, 'tiny');
  model.dispose();
  await fs.access(path.join(out, 'loss-curves.svg'));
  await fs.access(path.join(out, 'loss-curves.png'));
  assert.equal(tf.memory().numTensors, base);
});
