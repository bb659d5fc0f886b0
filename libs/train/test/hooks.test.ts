import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { openTrainJob, periodicHook, readStepLog, runTrainJob, type StepHook, type StepRecord } from '../src/index.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

let root = '';
let data = '';
let held = '';
before(async () => {
  root = await tempDir('hooks');
  data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 8, 8);
  held = await writeSyntheticShards(path.join(root, 'shards'), 'val', 2, 2, 500);
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('the job graph names its hooks (checkpoint, eval, preview) and builds without touching the run folder (--dry-run)', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'described');
  const job = await openTrainJob(tinyJob({ data, evalData: held, evalImages: 2, out, steps: 6, checkpointEvery: 3, evalEvery: 2, previewEvery: 3 }), { log: silentLogger });
  try {
    const text = job.graph.describe();
    assert.match(text, /train-step\(.*steps 6\) ⇒ hooks \[checkpoint\(every 3, at end, keep 2\) \| eval\(every 2, at start, at end, EMA on 2 held-out images\) \| preview\(every 3, with its evaluation\)\]/);
    assert.deepEqual(job.hooks.map((h) => h.name), ['checkpoint', 'eval', 'preview']);
  } finally {
    job.dispose();
  }
  assert.deepEqual(await fs.readdir(out), [], 'nothing written before the graph runs');
  assert.equal(tf.memory().numTensors, base);
});

test('a custom hook runs after the job hooks on every step with the step record; names must be unique', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'custom');
  const seen: { step: number; samples: number; checkpointed: boolean }[] = [];
  const lossWatch: StepHook = {
    name: 'loss-watch',
    describe: () => 'loss-watch(every step)',
    async afterStep(record: StepRecord, samplesTotal: number) {
      const checkpointed = await fs.access(path.join(out, 'checkpoints', `step-${String(record.step).padStart(8, '0')}`)).then(() => true, () => false);
      seen.push({ step: record.step, samples: samplesTotal, checkpointed });
    },
  };
  const result = await runTrainJob(tinyJob({ data, out, steps: 3, batch: 2, checkpointEvery: 2 }), { log: silentLogger, hooks: [lossWatch] });
  assert.match(result.graph, /\| loss-watch\(every step\)\]/);
  assert.deepEqual(seen, [
    { step: 1, samples: 2, checkpointed: false },
    { step: 2, samples: 4, checkpointed: true }, // the checkpoint hook ran first on the same step
    { step: 3, samples: 6, checkpointed: false }, // the final checkpoint is an afterRun
  ]);
  assert.equal((await readStepLog(path.join(out, 'log'))).length, 3);
  await assert.rejects(
    openTrainJob(tinyJob({ data, out: path.join(root, 'dup'), steps: 4 }), { log: silentLogger, hooks: [periodicHook('checkpoint', 1, () => {})] }),
    /train-step: duplicate hook name 'checkpoint'/,
  );
  assert.equal(tf.memory().numTensors, base);
});
