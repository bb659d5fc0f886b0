import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { SafetensorsFile } from '@vqrae/nn';
import type { TrainJobConfig } from '../src/job-config.js';
import { buildStageLosses } from '../src/loss-setup.js';
import { buildTrainer } from '../src/job-setup.js';
import { loadModelSource } from '../src/model-factory.js';
import { readStepLog } from '../src/step-log.js';
import { runTrainJob } from '../src/train-job.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

let data = '';
let root = '';
before(async () => {
  root = await tempDir('gan');
  data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 24, 12);
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const G_TERM = 'loss_adversarial.E_T-disc.g';
const D_HINGE = 'loss_E_T-disc.d_hinge';

/** Tiny stage 1 with the whole recipe: enc-perceptual, D from step 3 (25% of 8), G term from step 5 (50%). */
function ganJob(out: string, extra: Partial<TrainJobConfig> = {}): TrainJobConfig {
  return tinyJob({
    data,
    out,
    steps: 8,
    checkpointEvery: 4,
    perceptual: 'enc-perceptual',
    ganWeight: 0.75,
    ganDStart: 0.25,
    ganGStart: 0.5,
    ...extra,
  });
}

function sameValue(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
}

test('GAN + enc-perceptual (tiny): terms start on schedule, a resumed run matches the uninterrupted one column for column', async () => {
  const base = tf.memory().numTensors;
  const whole = path.join(root, 'whole');
  const split = path.join(root, 'split');
  await runTrainJob(ganJob(whole), silentLogger);
  await runTrainJob(ganJob(split, { stopAfterStep: 4 }), silentLogger);
  await runTrainJob(ganJob(split, { resume: true }), silentLogger);
  const a = await readStepLog(path.join(whole, 'log'));
  const b = await readStepLog(path.join(split, 'log'));
  assert.equal(a.length, 8);
  assert.equal(b.length, 8);
  for (const [i, row] of a.entries()) {
    const step = i + 1;
    assert.ok(row['loss_enc-perceptual']! > 0, `step ${step}: enc-perceptual ${row['loss_enc-perceptual']}`);
    assert.equal(Number.isNaN(row[D_HINGE]!), step < 3, `step ${step}: D hinge ${row[D_HINGE]}`);
    assert.equal(Number.isNaN(row[G_TERM]!), step < 5, `step ${step}: G term ${row[G_TERM]}`);
    if (step >= 5) {
      assert.ok(row['loss_gan.adaptive_weight']! > 0 && row['loss_gan.adaptive_weight']! <= 1e4);
      assert.ok(row['loss_gan.rec_grad_norm']! > 0 && row['loss_gan.g_grad_norm']! > 0);
    }
    if (step >= 3) assert.ok(row['loss_E_T-disc.d_accuracy']! >= 0 && row['loss_E_T-disc.d_accuracy']! <= 1);
    for (const column of Object.keys(row)) {
      if (column === 'wall_s' || column === 'images_per_s') continue;
      assert.ok(sameValue(row[column], b[i]![column]), `step ${step} ${column}: ${row[column]} vs ${b[i]![column]}`);
    }
  }
  const disc = await SafetensorsFile.open(path.join(whole, 'checkpoints', 'step-00000008', 'disc.safetensors'));
  assert.ok(disc.keys().some((k) => k.startsWith('disc.heads.0.')));
  assert.ok(disc.keys().some((k) => k.startsWith('optimizer/')));
  assert.ok(disc.keys().some((k) => k.endsWith('_u')));
  await disc.close();
  assert.equal(tf.memory().numTensors, base);
});

test('stage 2 from a GAN stage 1 starts from the stage-1 discriminator heads (spec §7.10)', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'stage2');
  // D never trains here (dStart 1), so the stage-2 checkpoint's heads must equal the stage-1 ones bit for bit.
  await runTrainJob(
    tinyJob({ data, out, stage: 2, from: path.join(root, 'whole'), steps: 2, checkpointEvery: 2, perceptual: 'enc-perceptual', ganWeight: 0.75, ganDStart: 1, ganGStart: 0 }),
    silentLogger,
  );
  const rows = await readStepLog(path.join(out, 'log'));
  assert.ok(rows.every((row) => Number.isFinite(row[G_TERM]!) && Number.isNaN(row[D_HINGE]!)));
  const before1 = await SafetensorsFile.open(path.join(root, 'whole', 'checkpoints', 'step-00000008', 'disc.safetensors'));
  const after2 = await SafetensorsFile.open(path.join(out, 'checkpoints', 'step-00000002', 'disc.safetensors'));
  try {
    const heads = before1.keys().filter((k) => k.startsWith('disc.heads.'));
    assert.ok(heads.length > 0);
    for (const key of heads) {
      const [x, y] = [await before1.readTensor(key), await after2.readTensor(key)];
      assert.deepEqual(Array.from(x.dataSync()), Array.from(y.dataSync()), key);
      tf.dispose([x, y]);
    }
  } finally {
    await before1.close();
    await after2.close();
  }
  assert.equal(tf.memory().numTensors, base);
});

test('GAN training steps keep the tensor count constant (generator, adaptive weight and D updates)', async () => {
  const config = ganJob(path.join(root, 'memory'), { steps: 8, ganDStart: 0, ganGStart: 0.25 });
  const loaded = await loadModelSource(config, null, config.out, silentLogger);
  const losses = await buildStageLosses(config, loaded, silentLogger);
  const trainer = buildTrainer(config, loaded, losses);
  const batch = (seed: number) => ({
    images: tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    keys: ['a', 'b', 'c', 'd'],
  });
  try {
    const counts: number[] = [];
    for (let step = 0; step < 6; step++) {
      const measure = trainer.trainStep([batch(step)]);
      assert.ok(Number.isFinite(measure.loss));
      counts.push(tf.memory().numTensors);
    }
    // Step 3 is the first with the G term (moments exist from step 1): from then on nothing accumulates.
    assert.deepEqual(counts.slice(3), [counts[2], counts[2], counts[2]], `tensor counts per step: ${counts.join(', ')}`);
  } finally {
    trainer.dispose();
    losses.dispose();
    loaded.model.dispose();
  }
});

test('--dino-weights: DINO-disc heads on a supplied DINO ViT (tiny converted fixture), labelled honestly, with provenance', async () => {
  const base = tf.memory().numTensors;
  const out = path.join(root, 'dino');
  // The converter's tiny DINO-architecture file (libs/losses fixture): its metadata declares the architecture.
  const dinoWeights = fileURLToPath(new URL('../../losses/test/fixtures/dino_tiny.safetensors', import.meta.url));
  const result = await runTrainJob(
    tinyJob({ data, out, steps: 3, checkpointEvery: 3, ganWeight: 0.75, ganDStart: 0, ganGStart: 0.34, discBackbone: 'dino', dinoWeights, discKernel: 3 }),
    silentLogger,
  );
  assert.match(result.graph, /DINO-disc\(5 heads × 32ch/); // taps at the quarter depths of 4 blocks + final
  const rows = await readStepLog(path.join(out, 'log'));
  assert.ok(rows.every((row) => Number.isFinite(row['loss_DINO-disc.d_hinge']!)), 'D trains from step 1');
  assert.ok(Number.isNaN(rows[0]!['loss_adversarial.DINO-disc.g']!) && Number.isFinite(rows[2]!['loss_adversarial.DINO-disc.g']!));
  assert.ok(!Object.keys(rows[0]!).some((column) => column.includes('E_T-disc')));
  assert.equal(tf.memory().numTensors, base);
});
