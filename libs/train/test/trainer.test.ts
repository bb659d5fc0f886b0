import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Trainer } from '../src/trainer.js';
import { NonFiniteLossError } from '../src/nan-guard.js';
import { toyBatch, toyConfig, toyObjective, toyParams } from './toy-objective.js';

function values(store: ReturnType<typeof toyParams>, name: string): Float32Array {
  return store.get(name).dataSync() as Float32Array;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('gradient accumulation over 2 micro-batches equals one step on their concatenation', () => {
  const base = tf.memory().numTensors;
  const pa = toyParams();
  const pb = toyParams();
  const ta = new Trainer(pa, toyObjective(pa), toyConfig({ accumulate: 2 }));
  const tb = new Trainer(pb, toyObjective(pb), toyConfig({ accumulate: 1 }));
  for (let step = 0; step < 3; step++) {
    const m1 = toyBatch(10 * step + 1);
    const m2 = toyBatch(10 * step + 2);
    const whole = { images: tf.concat([m1.images, m2.images]) as tf.Tensor4D, keys: [...m1.keys, ...m2.keys] };
    const a = ta.trainStep([m1, m2]);
    const b = tb.trainStep([whole]);
    assert.ok(Math.abs(a.loss - b.loss) < 1e-6, `loss ${a.loss} vs ${b.loss}`);
    assert.ok(Math.abs(a.gradNorm - b.gradNorm) < 1e-5, `grad norm ${a.gradNorm} vs ${b.gradNorm}`);
  }
  for (const name of ['enc.w', 'dec.w']) assert.ok(maxAbsDiff(values(pa, name), values(pb, name)) < 1e-6, name);
  ta.dispose();
  tb.dispose();
  pa.dispose();
  pb.dispose();
  assert.equal(tf.memory().numTensors, base);
});

test('the NaN guard stops with the step, the term and the batch keys, before any update', () => {
  const params = toyParams();
  const trainer = new Trainer(params, toyObjective(params, { nanAtStep: 2 }), toyConfig());
  trainer.trainStep([toyBatch(1)]);
  trainer.trainStep([toyBatch(2)]);
  const before = values(params, 'dec.w').slice();
  const numTensors = tf.memory().numTensors;
  assert.throws(
    () => trainer.trainStep([toyBatch(3, 2, 'bad')]),
    (error: unknown) => {
      assert.ok(error instanceof NonFiniteLossError);
      assert.match(error.message, /non-finite reg = NaN at step 3/);
      assert.match(error.message, /bad3-0, bad3-1/);
      return true;
    },
  );
  assert.deepEqual(values(params, 'dec.w'), before);
  assert.equal(tf.memory().numTensors, numTensors, 'batch images disposed, nothing else left behind');
  trainer.dispose();
  params.dispose();
});

test('per-group learning rates, frozen parameters untouched, EMA follows, tensor count flat over 50 steps', () => {
  const params = toyParams();
  const config = toyConfig({
    lr: { base: 1e-2, final: 1e-3, groups: [{ name: 'encoder', prefixes: ['enc.'], base: 1e-3, final: 1e-4 }] },
    schedule: { warmupSteps: 5, totalSteps: 50 },
  });
  const trainer = new Trainer(params, toyObjective(params), config);
  const frozen = values(params, 'frozen.c').slice();
  const counts: number[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 0; step < 50; step++) {
    const measure = trainer.trainStep([toyBatch(100 + (step % 5))]);
    if (step === 0) first = measure.loss;
    last = measure.loss;
    if (step === 10) {
      assert.ok(Math.abs(measure.lr['encoder']! / measure.lr['base']! - 0.1) < 1e-9, JSON.stringify(measure.lr));
    }
    counts.push(tf.memory().numTensors);
  }
  assert.ok(last < first, `loss fell: ${first} → ${last}`);
  assert.deepEqual(new Set(counts.slice(1)).size, 1, `tensor count constant: ${counts.join(',')}`);
  assert.deepEqual(values(params, 'frozen.c'), frozen);
  assert.equal(trainer.ema.store().has('frozen.c'), false);
  trainer.dispose();
  params.dispose();
});

test('gradient clipping scales the update (visible with a large Adam eps) and leaks nothing', () => {
  const run = (clip: number | null): { params: ReturnType<typeof toyParams>; norms: number[] } => {
    const params = toyParams();
    const config = toyConfig({ clipGradNorm: clip, optimizer: { beta1: 0.9, beta2: 0.95, eps: 1, weightDecay: 0 } });
    const trainer = new Trainer(params, toyObjective(params), config);
    const norms: number[] = [];
    norms.push(trainer.trainStep([toyBatch(50)]).gradNorm); // creates the AdamW moments
    const before = tf.memory().numTensors;
    for (let step = 1; step < 3; step++) norms.push(trainer.trainStep([toyBatch(50 + step)]).gradNorm);
    assert.equal(tf.memory().numTensors, before);
    trainer.dispose();
    return { params, norms };
  };
  const free = run(null);
  const clipped = run(1e-3);
  assert.ok(free.norms[0]! > 1e-3, 'the logged norm is the norm before clipping');
  assert.equal(clipped.norms[0], free.norms[0]);
  const moved = (p: ReturnType<typeof toyParams>): number => {
    const start = toyParams();
    const d = maxAbsDiff(values(p, 'dec.w'), values(start, 'dec.w'));
    start.dispose();
    return d;
  };
  assert.ok(moved(clipped.params) < moved(free.params) / 10, 'clipped steps are much smaller');
  free.params.dispose();
  clipped.params.dispose();
});
