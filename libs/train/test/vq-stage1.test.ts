/**
 * Stage 1 with the plain VQ quantizer (`quantizer.kind: 'vq'`): its codebook trains (base LR group, EMA, AdamW
 * moments, checkpoints, exact resume) while the encoder stays frozen, and the trained model round-trips through a
 * tokenizer checkpoint with identical tokens.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { silentLogger } from '@vqrae/graph';
import { createVqrae, loadCheckpoint, presetConfig, saveCheckpoint, VQ_KEYS, type VqraeConfig, type VqraeModel } from '@vqrae/tokenizer';
import { readTrainCheckpoint, writeTrainCheckpoint, type TrainStateJson } from '../src/checkpoint-state.js';
import { writeModelFile } from '../src/export.js';
import { InitRefusedError, loadInitWeights } from '../src/init-weights.js';
import { restoreOrSeed } from '../src/job-setup.js';
import { loadModelSource, tokenizerParts } from '../src/model-factory.js';
import { stage1Objective } from '../src/objectives.js';
import { Trainer } from '../src/trainer.js';
import type { TrainBatch } from '../src/types.js';
import { tempDir, tinyJob } from './fixtures.js';
import { toyConfig } from './toy-objective.js';

function tinyVq(): VqraeConfig {
  const tiny = presetConfig('tiny');
  return { ...tiny, quantizer: { kind: 'vq', ...tiny.quantizer } };
}

function batch(seed: number): TrainBatch {
  return { images: tf.randomUniform([4, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D, keys: ['a', 'b', 'c', 'd'].map((k) => `${k}${seed}`) };
}

function values(model: VqraeModel, name: string): Float32Array {
  return (model.params.get(name).dataSync() as Float32Array).slice();
}

function trainerFor(model: VqraeModel): Trainer {
  const objective = stage1Objective(tokenizerParts(model), model.params, { pixel: { kind: 'l2', weight: 1 }, vq: 1 });
  return new Trainer(model.params, objective, toyConfig({ lr: { base: 1e-3, final: 1e-4, groups: [] }, schedule: { warmupSteps: 1, totalSteps: 10 } }));
}

test('tiny stage 1 with kind vq: the codebook trains (EMA and moments too), the encoder does not; tensors return to baseline', async () => {
  const base = tf.memory().numTensors;
  const model = await createVqrae(tinyVq(), { seed: 3 });
  model.setStage('stage1');
  const encoderNames = model.params.names(model.encoder.paramPrefix);
  const encoderBefore = encoderNames.map((name) => values(model, name));
  const codebookBefore = values(model, VQ_KEYS.codebook);
  const trainer = trainerFor(model);
  assert.ok(trainer.ema.store().has(VQ_KEYS.codebook), 'the EMA tracks the codebook');
  assert.equal(trainer.lrGroups.groupOf(VQ_KEYS.codebook), trainer.lrGroups.groupOf(VQ_KEYS.inWeight), 'codebook in the quantizer\'s LR group');
  const measure = trainer.trainStep([batch(1)]);
  assert.ok(Number.isFinite(measure.loss) && measure.terms['vq.codebook']! > 0);
  const codebookAfter = values(model, VQ_KEYS.codebook);
  const moved = codebookAfter.filter((v, i) => v !== codebookBefore[i]).length;
  assert.ok(moved > 0, 'the codebook changed');
  encoderNames.forEach((name, i) => assert.deepEqual(values(model, name), encoderBefore[i], `encoder ${name} unchanged`));
  const emaCodebook = trainer.ema.store().get(VQ_KEYS.codebook).dataSync();
  assert.ok(emaCodebook.some((v, i) => v !== codebookBefore[i]), 'the EMA codebook moved');
  assert.ok(Object.keys(trainer.optimizer.getState().moments).some((key) => key.includes(VQ_KEYS.codebook)), 'AdamW moments for the codebook');
  trainer.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('kind vq: save → load gives identical tokens; the EMA export loads with the averaged codebook', async () => {
  const base = tf.memory().numTensors;
  const dir = await tempDir('vq-roundtrip');
  const model = await createVqrae(tinyVq(), { seed: 4 });
  const trainer = trainerFor(model);
  trainer.trainStep([batch(2)]);
  const file = path.join(dir, 'vq.safetensors');
  await saveCheckpoint(model, file);
  const loaded = await loadCheckpoint(file);
  assert.deepEqual(loaded.config, model.config);
  assert.equal(loaded.quantizer.kind, 'vq');
  const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
  const [before, after] = [model.tokenize(images), loaded.tokenize(images)];
  assert.deepEqual(Array.from(after.dataSync()), Array.from(before.dataSync()), 'identical tokens');
  tf.dispose([before, after]);
  const emaFile = path.join(dir, 'model-ema.safetensors');
  await writeModelFile(emaFile, model.params, trainer.ema.store(), { 'vqrae.config': JSON.stringify(model.config) });
  const ema = await loadCheckpoint(emaFile);
  assert.deepEqual(ema.params.get(VQ_KEYS.codebook).dataSync(), trainer.ema.store().get(VQ_KEYS.codebook).dataSync());
  for (const m of [ema, loaded, model]) {
    m.quantizer.invalidateCache();
    m.dispose();
  }
  images.dispose();
  trainer.dispose();
  assert.equal(tf.memory().numTensors, base);
  await fs.rm(dir, { recursive: true, force: true });
});

test('kind vq: a training checkpoint resumes exactly (live, EMA and AdamW state of the codebook)', async () => {
  const base = tf.memory().numTensors;
  const dir = await tempDir('vq-resume');
  const job = tinyJob({ data: 'unused', out: dir });
  const model = await createVqrae(tinyVq(), { seed: 5 });
  const trainer = trainerFor(model);
  for (const seed of [1, 2]) trainer.trainStep([batch(seed)]);
  const optimizer = trainer.optimizer.getState();
  const state: TrainStateJson = {
    format: 'vqrae-train-state/1', stage: 1, step: 2, data: { epoch: 0, samplesInEpoch: 8, samplesTotal: 8 },
    rng: {}, config: job, createdAt: new Date(0).toISOString(),
  };
  const metadata = { 'vqrae.config': JSON.stringify(model.config), 'vqrae.encoder_weights': 'embedded', 'vqrae.stage': 'stage1' };
  const written = await writeTrainCheckpoint(path.join(dir, 'checkpoints'), {
    model: model.params.toNamedTensors(), modelMetadata: metadata, ema: trainer.ema.store().toNamedTensors(),
    moments: optimizer.moments, optimizerStep: optimizer.step,
  }, state);
  for (const seed of [3, 4]) trainer.trainStep([batch(seed)]);

  // The job's own resume path: model rebuilt from the checkpoint's metadata (kind 'vq'), then EMA/optimizer/step.
  const resumed = await readTrainCheckpoint(written);
  const source = await loadModelSource(job, resumed, dir, silentLogger);
  assert.equal(source.model.quantizer.kind, 'vq');
  const again = trainerFor(source.model);
  restoreOrSeed(again, resumed, source, job, silentLogger);
  for (const seed of [3, 4]) again.trainStep([batch(seed)]);
  for (const name of [VQ_KEYS.codebook, VQ_KEYS.inWeight, 'decoder.decoder_pred.weight']) {
    assert.deepEqual(values(source.model, name), values(model, name), `${name} after resume equals the uninterrupted run`);
    assert.deepEqual(again.ema.store().get(name).dataSync(), trainer.ema.store().get(name).dataSync(), `EMA ${name}`);
  }
  for (const t of [again, trainer]) t.dispose();
  for (const m of [source.model, model]) m.dispose();
  assert.equal(tf.memory().numTensors, base);
  await fs.rm(dir, { recursive: true, force: true });
});

test('kind vq: train --init takes the learned codebook from any seed, refuses another kind or codebook shape', async () => {
  const base = tf.memory().numTensors;
  const dir = await tempDir('vq-init');
  const source = await createVqrae(tinyVq(), { seed: 6 });
  const file = path.join(dir, 'vq.safetensors');
  await saveCheckpoint(source, file);
  const run = await createVqrae(tinyVq(), { seed: 7 }); // another seed: fine, C is a trained weight for VQ
  const metadata = await loadInitWeights(run, file, 7);
  assert.equal(metadata['vqrae.init'], file);
  assert.deepEqual(run.params.get(VQ_KEYS.codebook).dataSync(), source.params.get(VQ_KEYS.codebook).dataSync());
  const simvq = await createVqrae(presetConfig('tiny'), { seed: 6 });
  await assert.rejects(loadInitWeights(simvq, file, 6), (error: Error) =>
    error instanceof InitRefusedError && /its quantizer has kind vq \(wanted simvq\)/.test(error.message));
  const tiny = presetConfig('tiny');
  const smaller = await createVqrae({ ...tiny, quantizer: { kind: 'vq', ...tiny.quantizer, codebookSize: 256 } }, { seed: 6 });
  await assert.rejects(loadInitWeights(smaller, file, 6), (error: Error) =>
    error instanceof InitRefusedError && /its quantizer has codebookSize 512 \(wanted 256\)/.test(error.message));
  for (const m of [source, run, simvq, smaller]) m.dispose();
  assert.equal(tf.memory().numTensors, base);
  await fs.rm(dir, { recursive: true, force: true });
});
