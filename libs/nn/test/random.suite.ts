import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  Rng,
  fans,
  lecunNormalInit,
  normalInit,
  onesInit,
  torchDefaultUniformInit,
  truncatedNormalInit,
  xavierUniformInit,
  zerosInit,
} from '../src/index.js';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.uniform());
    assert.deepEqual(xs, Array.from({ length: 8 }, () => b.uniform()));
    assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.uniform()));
    assert.notDeepEqual(Array.from({ length: 4 }, () => new Rng(2 ** 40).uniform()), Array.from({ length: 4 }, () => new Rng(0).uniform()));
  });

  it('has sane uniform/normal moments and unbiased int', () => {
    const rng = new Rng(7);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
    }
    assert.ok(min >= 0 && max < 1);
    assert.ok(Math.abs(sum / n - 0.5) < 0.005);
    sum = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
    }
    assert.ok(Math.abs(sum / n) < 0.015, `normal mean ${sum / n}`);
    assert.ok(Math.abs(sumSq / n - 1) < 0.02, `normal var ${sumSq / n}`);
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60_000; i++) counts[rng.int(6)] += 1;
    for (const count of counts) assert.ok(Math.abs(count - 10_000) < 400, `int counts ${counts}`);
    assert.throws(() => rng.int(0), /Rng.int/);
  });

  it('round-trips its state, including a pending Box–Muller value, through JSON', () => {
    const rng = new Rng(3);
    rng.normal(); // leaves a spare normal cached
    const state = JSON.parse(JSON.stringify(rng.getState()));
    const restored = Rng.fromState(state);
    for (let i = 0; i < 5; i++) assert.equal(restored.normal(), rng.normal());
    assert.equal(restored.uniform(), rng.uniform());
  });

  it('forks stable, label-dependent child streams without advancing the parent', () => {
    const parent = new Rng(11);
    const twin = new Rng(11);
    const a1 = parent.fork('encoder').uniform();
    const a2 = parent.fork('encoder').uniform();
    const b = parent.fork('decoder').uniform();
    assert.equal(a1, a2);
    assert.notEqual(a1, b);
    assert.equal(parent.uniform(), twin.uniform());
    assert.notEqual(parent.fork('encoder').uniform(), a1, 'fork depends on the current state');
  });
});

function stats(t: tf.Tensor): { mean: number; std: number; min: number; max: number } {
  const v = t.dataSync();
  let sum = 0;
  let sq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    sq += x * x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  return { mean, std: Math.sqrt(sq / v.length - mean * mean), min, max };
}

describe('initialisers', () => {
  it('draw the documented distributions, reproducibly', () => {
    const before = tf.memory().numTensors;
    tf.tidy(() => body());
    assert.equal(tf.memory().numTensors, before);
  });
});

function body(): void {
    const normal = normalInit(new Rng(1), [200, 100], 0.5, 2);
    const s = stats(normal);
    assert.deepEqual(normal.shape, [200, 100]);
    assert.equal(normal.dtype, 'float32');
    assert.ok(Math.abs(s.mean - 2) < 0.01 && Math.abs(s.std - 0.5) < 0.01, JSON.stringify(s));
    const again = normalInit(new Rng(1), [200, 100], 0.5, 2);
    assert.deepEqual(again.dataSync(), normal.dataSync());

    const trunc = stats(truncatedNormalInit(new Rng(2), [20000], 3, 2));
    assert.ok(trunc.min >= -6 && trunc.max <= 6);
    // std of a standard normal truncated at ±2 is 0.87962566
    assert.ok(Math.abs(trunc.std - 3 * 0.8796) < 0.05, JSON.stringify(trunc));

    const lecun = stats(lecunNormalInit(new Rng(3), [256, 64, 2, 2], 256));
    assert.ok(Math.abs(lecun.std - Math.sqrt(1 / 256)) < 0.002, JSON.stringify(lecun)); // truncation cancels 0.8796
    assert.ok(lecun.max <= (2 * Math.sqrt(1 / 256)) / 0.87962566 + 1e-7);

    assert.deepEqual(fans([8, 3, 4, 4]), { fanIn: 48, fanOut: 128 });
    const xavier = stats(xavierUniformInit(new Rng(4), [300, 100]));
    const bound = Math.sqrt(6 / 400);
    assert.ok(xavier.min >= -bound && xavier.max <= bound && xavier.max > 0.95 * bound);

    const torchDefault = stats(torchDefaultUniformInit(new Rng(5), [1000], 16));
    assert.ok(torchDefault.min >= -0.25 && torchDefault.max <= 0.25 && torchDefault.max > 0.24);

    assert.deepEqual([...zerosInit([3]).dataSync()], [0, 0, 0]);
    assert.deepEqual([...onesInit([2]).dataSync()], [1, 1]);
    assert.throws(() => normalInit(new Rng(1), [2, -1], 1), /invalid shape/);
}
