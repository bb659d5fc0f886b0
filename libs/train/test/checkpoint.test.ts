import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, loadCheckpoint, presetConfig } from '@vqrae/tokenizer';
import { readTrainCheckpoint, resolveCheckpointDir, writeTrainCheckpoint, type TrainStateJson } from '../src/checkpoint-state.js';
import { writeModelFile } from '../src/export.js';
import { tokenizerParts } from '../src/model-factory.js';
import { stage1Objective } from '../src/objectives.js';
import { Trainer } from '../src/trainer.js';
import { tempDir } from './fixtures.js';
import { toyConfig } from './toy-objective.js';

function equalTensors(a: Record<string, tf.Tensor>, b: Record<string, tf.Tensor>, what: string): void {
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `${what}: same names`);
  for (const name of Object.keys(a)) {
    assert.deepEqual(a[name]!.shape, b[name]!.shape, `${what}: ${name} shape`);
    assert.deepEqual(a[name]!.dataSync(), b[name]!.dataSync(), `${what}: ${name} values`);
  }
}

test('checkpoint round trip: model, EMA, AdamW moments, step and data position; EMA export loads as a tokenizer', async () => {
  const base = tf.memory().numTensors;
  const dir = await tempDir('ckpt');
  const model = await createVqrae(presetConfig('tiny'), { seed: 5 });
  const objective = stage1Objective(tokenizerParts(model), model.params, { pixel: { kind: 'l2', weight: 1 }, vq: 1 });
  const trainer = new Trainer(model.params, objective, toyConfig());
  for (let i = 0; i < 3; i++) {
    trainer.trainStep([{ images: tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', i) as tf.Tensor4D, keys: ['a', 'b'] }]);
  }
  const state: TrainStateJson = {
    format: 'vqrae-train-state/1', stage: 1, step: 3, data: { epoch: 1, samplesInEpoch: 2, samplesTotal: 6 },
    rng: { seed: 0 }, config: { preset: 'tiny' }, createdAt: new Date(0).toISOString(),
  };
  const metadata = { 'vqrae.config': JSON.stringify(model.config), 'vqrae.encoder_weights': 'embedded', 'vqrae.stage': 'stage1' };
  const optimizer = trainer.optimizer.getState();
  const root = path.join(dir, 'checkpoints');
  const written = await writeTrainCheckpoint(root, {
    model: model.params.toNamedTensors(), modelMetadata: metadata, ema: trainer.ema.store().toNamedTensors(),
    moments: optimizer.moments, optimizerStep: optimizer.step,
  }, state);
  assert.equal(await resolveCheckpointDir(dir), written);
  assert.deepEqual((await fs.readdir(root)).filter((f) => f.startsWith('.')), [], 'no temporary leftovers');

  const loaded = await readTrainCheckpoint(written);
  assert.deepEqual(loaded.state, state);
  assert.equal(loaded.optimizerStep, 3);
  equalTensors(loaded.model, model.params.toNamedTensors(), 'model');
  equalTensors(loaded.ema, trainer.ema.store().toNamedTensors(), 'ema');
  equalTensors(loaded.moments, optimizer.moments, 'moments');
  tf.dispose([...Object.values(loaded.model), ...Object.values(loaded.ema), ...Object.values(loaded.moments)]);

  // The live weights of the checkpoint and the EMA export are stand-alone tokenizer checkpoints.
  const fromCheckpoint = await loadCheckpoint(path.join(written, 'model.safetensors'));
  equalTensors(fromCheckpoint.params.toNamedTensors(), model.params.toNamedTensors(), 'loadCheckpoint(model)');
  fromCheckpoint.dispose();
  const emaFile = path.join(dir, 'model-ema.safetensors');
  await writeModelFile(emaFile, model.params, trainer.ema.store(), metadata);
  const emaModel = await loadCheckpoint(emaFile);
  for (const name of trainer.ema.store().names()) {
    assert.deepEqual(emaModel.params.get(name).dataSync(), trainer.ema.store().get(name).dataSync(), name);
  }
  emaModel.dispose();
  trainer.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, base);
  await fs.rm(dir, { recursive: true, force: true });
});
