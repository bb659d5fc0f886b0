import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { Rng, writeSafetensors } from '@vqrae/nn';
import { readStepLog } from '../src/step-log.js';
import { runTrainJob } from '../src/train-job.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

const VGG16_CONVS = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28];
const VGG16_WIDTHS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512];

let root = '';
let data = '';
let weights = '';
before(async () => {
  root = await tempDir('lpips');
  data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 8, 8);
  // A VGG16-shaped LPIPS file in the converter's layout with seeded random weights (the real ones are user-supplied).
  const rng = new Rng(5);
  const named: Record<string, tf.Tensor> = {};
  let inChannels = 3;
  VGG16_CONVS.forEach((index, n) => {
    const out = VGG16_WIDTHS[n]!;
    const std = Math.sqrt(2 / (9 * inChannels));
    named[`features.${index}.weight`] = tf.tensor4d(Float32Array.from({ length: out * inChannels * 9 }, () => rng.normal() * std), [out, inChannels, 3, 3]);
    named[`features.${index}.bias`] = tf.zeros([out]);
    inChannels = out;
  });
  [64, 128, 256, 512, 512].forEach((width, l) => {
    named[`lin${l}.model.1.weight`] = tf.tensor4d(Float32Array.from({ length: width }, () => rng.uniform() * 0.1), [1, width, 1, 1]);
  });
  weights = path.join(root, 'lpips-random-vgg16.safetensors');
  await writeSafetensors(weights, named, { metadata: { format: 'vqrae-lpips-vgg16', note: 'random test weights' } });
  tf.dispose(Object.values(named));
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

test('--perceptual lpips trains with the supplied LPIPS weights and logs the term as lpips (with the file hash)', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'run');
  const result = await runTrainJob(tinyJob({ data, out, steps: 2, checkpointEvery: 0, perceptual: 'lpips', lpipsWeights: weights }), silentLogger);
  assert.equal(result.stepsDone, 2);
  const rows = await readStepLog(path.join(out, 'log'));
  assert.ok(rows.every((row) => row['loss_lpips']! > 0), 'lpips term logged every step');
  assert.ok(!('loss_enc-perceptual' in rows[0]!));
  assert.match(result.graph, /lpips\(vgg16 trunk, layers relu1_2,.*sha256 [0-9a-f]{64}/);
  assert.equal(tf.memory().numTensors, base);
});
