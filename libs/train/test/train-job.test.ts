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

test('a run killed mid-write (torn step-log batch, partial eval.jsonl line) resumes and warns naming the steps the log lost', async () => {
  const out = path.join(root, 'torn');
  const job = { data, evalData: held, out, steps: 14, checkpointEvery: 10, evalEvery: 5 };
  await runTrainJob(tinyJob({ ...job, stopAfterStep: 12 }), silentLogger);
  // The kill: the step log's last batch (after the checkpoint at 10) and an evaluation line half written.
  const segment = path.join(out, 'log', 'steps-00000000.arrows');
  const bytes = await fs.readFile(segment);
  await fs.writeFile(segment, bytes.subarray(0, bytes.byteLength - 24));
  await fs.appendFile(path.join(out, 'eval.jsonl'), '{"step":15,"images":8,"ps');
  const readable = (await readStepLog(path.join(out, 'log'))).map((row) => row['step']!);
  assert.ok(readable.length >= 10 && readable.length < 12, `the torn batch is left out: ${readable.join(',')}`);
  assert.deepEqual(readable, [...Array(readable.length).keys()].map((i) => i + 1));
  const warnings: string[] = [];
  await runTrainJob(tinyJob({ ...job, resume: true }), { ...silentLogger, warn: (message) => warnings.push(message) });
  // The stop at 12 wrote a checkpoint there: the torn rows up to 12 were trained and are not trained again.
  const lost = Array.from({ length: 12 - readable.length }, (_, i) => readable.length + 1 + i);
  const range = lost.length === 1 ? `${lost[0]}` : `${lost[0]}–${lost.at(-1)}`;
  assert.equal(warnings.filter((w) => w.includes('steps-00000000.arrows ended in a partially written batch') && w.includes(`no row for step(s) ${range} (`)).length, 1, warnings.join('\n'));
  assert.equal(warnings.filter((w) => /eval\.jsonl ended in a partially written line/.test(w)).length, 1, warnings.join('\n'));
  assert.deepEqual((await readStepLog(path.join(out, 'log'))).map((row) => row['step']), [...readable, 13, 14]);
  const evals = (await fs.readFile(path.join(out, 'eval.jsonl'), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { step: number }).step);
  assert.deepEqual(evals, [0, 5, 10, 12, 14], 'the stop evaluated at 12; the torn line is gone');
});
