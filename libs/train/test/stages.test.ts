import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, QUANTIZER_KEYS } from '@vqrae/tokenizer';
import { tokenizerParts } from '../src/model-factory.js';
import { stage1Objective, stage2Objective } from '../src/objectives.js';
import { Trainer } from '../src/trainer.js';
import type { TrainBatch } from '../src/types.js';
import { toyConfig } from './toy-objective.js';

function batch(seed: number, size = 4): TrainBatch {
  return {
    images: tf.randomUniform([size, 32, 32, 3], 0, 1, 'float32', seed) as tf.Tensor4D,
    keys: Array.from({ length: size }, (_, i) => `img${seed}-${i}`),
  };
}

function snapshot(store: { get(name: string): tf.Tensor; names(prefix?: string): string[] }, prefix: string): Map<string, Float32Array> {
  return new Map(store.names(prefix).map((n) => [n, (store.get(n).dataSync() as Float32Array).slice()]));
}

function changed(before: Map<string, Float32Array>, store: { get(name: string): tf.Tensor }): string[] {
  const out: string[] = [];
  for (const [name, values] of before) {
    const now = store.get(name).dataSync();
    if (values.some((v, i) => v !== now[i])) out.push(name);
  }
  return out;
}

test('tiny stage 1: encoder and codebook C frozen, the rest trains; tensor count constant over 50 steps', async () => {
  const base = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  model.setStage('stage1');
  const prefix = model.encoder.paramPrefix;
  const trainable = [...model.params.trainableVariables().keys()];
  assert.ok(trainable.length > 0);
  assert.ok(trainable.every((n) => !n.startsWith(prefix)), 'no encoder variable in stage 1');
  assert.ok(!trainable.includes(QUANTIZER_KEYS.codebook), 'C is not a variable');
  const encoderBefore = snapshot(model.params, prefix);
  const codebookBefore = snapshot(model.params, QUANTIZER_KEYS.codebook);
  const otherBefore = snapshot(model.params, 'decoder.');
  const objective = stage1Objective(tokenizerParts(model), model.params, { pixel: { kind: 'l2', weight: 1 }, vq: 1 });
  const trainer = new Trainer(model.params, objective, toyConfig({ schedule: { warmupSteps: 5, totalSteps: 50 }, lr: { base: 1e-3, final: 1e-4, groups: [] } }));
  const counts: number[] = [];
  for (let step = 0; step < 50; step++) {
    const measure = trainer.trainStep([batch(step % 4)]);
    assert.ok(Number.isFinite(measure.loss));
    assert.deepEqual(Object.keys(measure.terms).sort(), ['l2', 'vq.codebook', 'vq.commitment']);
    counts.push(tf.memory().numTensors);
  }
  assert.equal(new Set(counts).size, 1, `tensor count constant over 50 steps: ${[...new Set(counts)].join(', ')}`);
  assert.deepEqual(changed(encoderBefore, model.params), [], 'encoder unchanged');
  assert.deepEqual(changed(codebookBefore, model.params), [], 'C unchanged');
  assert.ok(changed(otherBefore, model.params).length > 0, 'decoder trained');
  trainer.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('tiny stage 1 with the structural term: loss = l2 + w·(1 − SSIM) + VQ terms, logged as ssim, no leak', async () => {
  const base = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  model.setStage('stage1');
  const objective = stage1Objective(tokenizerParts(model), model.params, { pixel: { kind: 'l2', weight: 1 }, ssim: 0.5, vq: 1 });
  assert.match(objective.name, /1 − ssim\(pixel01, torchmetrics σ1\.5\) × 0\.5/);
  const trainer = new Trainer(model.params, objective, toyConfig({ schedule: { warmupSteps: 2, totalSteps: 6 }, lr: { base: 1e-3, final: 1e-4, groups: [] } }));
  const counts: number[] = [];
  for (let step = 0; step < 6; step++) {
    const measure = trainer.trainStep([batch(step % 2)]);
    assert.deepEqual(Object.keys(measure.terms).sort(), ['l2', 'ssim', 'vq.codebook', 'vq.commitment']);
    const t = measure.terms as Record<string, number>;
    const composed = t['l2']! + 0.5 * t['ssim']! + 0.25 * t['vq.commitment']! + t['vq.codebook']!;
    assert.ok(Math.abs(measure.loss - composed) < 1e-5 * Math.max(1, composed), `loss ${measure.loss} = ${composed}`);
    assert.ok(t['ssim']! > 0 && t['ssim']! < 2, `1 − SSIM in (0, 2): ${t['ssim']}`);
    counts.push(tf.memory().numTensors);
  }
  assert.equal(new Set(counts).size, 1, `tensor count constant: ${[...new Set(counts)].join(', ')}`);
  for (const bad of [-0.1, Number.NaN]) {
    assert.throws(() => stage1Objective(tokenizerParts(model), model.params, { pixel: { kind: 'l2', weight: 1 }, ssim: bad, vq: 1 }), /SSIM term's weight must be a finite number ≥ 0/);
  }
  trainer.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('tiny stage 2: encoder unfrozen at its own lr, teacher and C unchanged, distillation starts at 0', async () => {
  const base = tf.memory().numTensors;
  const model = await createVqrae(presetConfig('tiny'), { seed: 4 });
  model.setStage('stage2');
  const prefix = model.encoder.paramPrefix;
  const teacher = model.params.clone(prefix);
  teacher.setTrainable(() => true, false);
  const trainable = [...model.params.trainableVariables().keys()];
  assert.ok(trainable.some((n) => n.startsWith(prefix)), 'encoder variables trainable in stage 2');
  assert.ok(!trainable.includes(QUANTIZER_KEYS.codebook), 'C still frozen');
  assert.equal(teacher.trainableVariables().size, 0, 'teacher frozen');
  const teacherBefore = snapshot(teacher, prefix);
  const codebookBefore = snapshot(model.params, QUANTIZER_KEYS.codebook);
  const encoderBefore = snapshot(model.params, prefix);
  const objective = stage2Objective(tokenizerParts(model), model.params, teacher, { pixel: { kind: 'l2', weight: 1 }, vq: 1, distill: 1 });
  const trainer = new Trainer(model.params, objective, toyConfig({
    lr: { base: 1e-3, final: 1e-4, groups: [{ name: 'encoder', prefixes: [prefix], base: 1e-4, final: 1e-5 }] },
    schedule: { warmupSteps: 1, totalSteps: 10 },
  }));
  const first = trainer.trainStep([batch(1)]);
  assert.equal(first.terms['distill'], 0, 'student = teacher at stage-2 start');
  assert.ok(Math.abs(first.lr['encoder']! - 1e-4) < 1e-12 && Math.abs(first.lr['base']! - 1e-3) < 1e-12, JSON.stringify(first.lr));
  const second = trainer.trainStep([batch(2)]);
  assert.ok(second.terms['distill']! > 0, 'the student moved away from the teacher');
  assert.ok(changed(encoderBefore, model.params).length > 0, 'encoder trained');
  assert.deepEqual(changed(teacherBefore, teacher), [], 'teacher unchanged');
  assert.deepEqual(changed(codebookBefore, model.params), [], 'C unchanged');
  trainer.dispose();
  teacher.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, base);
});
