import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { AdamW, Ema, ParamStore, clipByGlobalNorm, warmupCosine } from '../src/index.js';
import { assertClose } from './helpers.js';

interface TorchAdamFixture {
  betas: [number, number];
  eps: number;
  weightDecay: number;
  baseLr: Record<string, number>;
  lrScale: number[];
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  grads: Record<string, number[]>[];
  trajectory: Record<string, number[]>[];
  finalExpAvg: Record<string, number[]>;
  finalExpAvgSq: Record<string, number[]>;
}

/** Float64 AdamW written from the update equations (spec §7.6). */
function adamw64(theta: number[], grads: number[][], lrs: number[], b1: number, b2: number, eps: number, wd: number): number[][] {
  const m = theta.map(() => 0);
  const v = theta.map(() => 0);
  const p = [...theta];
  const out: number[][] = [];
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] -= lrs[s] * wd * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const mHat = m[i] / (1 - b1 ** t);
      const vHat = v[i] / (1 - b2 ** t);
      p[i] -= (lrs[s] * mHat) / (Math.sqrt(vHat) + eps);
    }
    out.push([...p]);
  });
  return out;
}

describe('AdamW', () => {
  it('matches a float64 reference over 3 steps with decoupled weight decay and per-name learning rates', () => {
    const before = tf.memory().numTensors;
    const theta = [0.5, -1.25, 2, 0.01];
    const grads = [[0.1, -0.2, 0.3, 1e-4], [-0.5, 0.25, 0.0, 2], [0.05, 0.05, -1, -3]];
    const lrs = [1e-2, 5e-3, 2e-2];
    const expected = adamw64(theta, grads, lrs, 0.9, 0.95, 1e-8, 0.1);
    const expectedFrozenLr = adamw64(theta, grads, [0, 0, 0], 0.9, 0.95, 1e-8, 0.1);
    const vars = new Map([
      ['a', tf.tidy(() => tf.variable(tf.tensor1d(theta)))],
      ['b', tf.tidy(() => tf.variable(tf.tensor1d(theta)))],
    ]);
    const optimizer = new AdamW({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
    const afterVars = tf.memory().numTensors;
    grads.forEach((g, s) => {
      const gradTensors = { a: tf.tensor1d(g), b: tf.tensor1d(g) };
      optimizer.step(vars, gradTensors, (name) => (name === 'a' ? lrs[s] : 0));
      tf.dispose(Object.values(gradTensors));
      assertClose(vars.get('a')?.dataSync() ?? [], expected[s], { atol: 1e-6, rtol: 1e-6 }, `step ${s + 1}`);
    });
    assertClose(vars.get('b')?.dataSync() ?? [], expectedFrozenLr[2], { atol: 1e-7 }, 'lr 0 leaves b unchanged');
    assert.equal(optimizer.stepsTaken, 3);
    assert.equal(tf.memory().numTensors, afterVars + 4, 'only the 4 moment variables were added');
    assert.throws(() => optimizer.step(vars, { c: tf.zeros([1]) }, 1e-3), /gradient for 'c' has no trainable variable/);
    optimizer.dispose();
    tf.dispose([...vars.values()]);
    assert.equal(tf.memory().numTensors, before + 1); // the rejected gradient above
  });

  it('matches torch.optim.AdamW (param groups, changing lr) from the committed fixture', () => {
    const fx = JSON.parse(readFileSync(new URL('./fixtures/adamw-torch.json', import.meta.url), 'utf8')) as TorchAdamFixture;
    const vars = new Map(Object.entries(fx.initial).map(([name, values]) => [name, tf.tidy(() => tf.variable(tf.tensor(values, fx.shapes[name])))]));
    const optimizer = new AdamW({ beta1: fx.betas[0], beta2: fx.betas[1], eps: fx.eps, weightDecay: fx.weightDecay });
    fx.grads.forEach((stepGrads, s) => {
      const gradTensors = Object.fromEntries(Object.entries(stepGrads).map(([name, g]) => [name, tf.tensor(g, fx.shapes[name])]));
      optimizer.step(vars, gradTensors, (name) => fx.baseLr[name] * fx.lrScale[s]);
      tf.dispose(Object.values(gradTensors));
      for (const name of vars.keys()) {
        assertClose(vars.get(name)?.dataSync() ?? [], fx.trajectory[s][name], { atol: 1e-6, rtol: 1e-6 }, `torch step ${s + 1} ${name}`);
      }
    });
    const state = optimizer.getState();
    for (const name of vars.keys()) {
      assertClose(state.moments[`exp_avg.${name}`].dataSync(), fx.finalExpAvg[name], { atol: 1e-7, rtol: 1e-6 }, `exp_avg ${name}`);
      assertClose(state.moments[`exp_avg_sq.${name}`].dataSync(), fx.finalExpAvgSq[name], { atol: 1e-9, rtol: 1e-6 }, `exp_avg_sq ${name}`);
    }
    optimizer.dispose();
    tf.dispose([...vars.values()]);
  });

  it('resumes from getState/setState exactly like an uninterrupted run', () => {
    const grads = [[0.3, -0.1], [0.2, 0.4], [-0.6, 0.1], [0.05, -0.2]];
    const run = (splitAfter: number | null): number[] => {
      let optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
      const vars = new Map([['p', tf.tidy(() => tf.variable(tf.tensor1d([1, -1])))]]);
      grads.forEach((g, s) => {
        if (s === splitAfter) {
          const state = optimizer.getState();
          const copy = { step: state.step, moments: Object.fromEntries(Object.entries(state.moments).map(([k, t]) => [k, tf.clone(t)])) };
          optimizer.dispose();
          optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 });
          optimizer.setState(copy);
          tf.dispose(Object.values(copy.moments));
        }
        const grad = tf.tensor1d(g);
        optimizer.step(vars, { p: grad }, 1e-2);
        grad.dispose();
      });
      const out = [...(vars.get('p')?.dataSync() ?? [])];
      optimizer.dispose();
      tf.dispose([...vars.values()]);
      return out;
    };
    const before = tf.memory().numTensors;
    assert.deepEqual(run(2), run(null));
    assert.equal(tf.memory().numTensors, before);
    const optimizer = new AdamW({ beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
    assert.throws(() => optimizer.setState({ step: 1, moments: { 'exp_avg.p': tf.zeros([1]) } }), /moments incomplete for p/);
  });
});

describe('clipByGlobalNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) only when the norm exceeds maxNorm', () => {
    tf.tidy(() => {
      const grads = { a: tf.tensor1d([3, 0]), b: tf.tensor1d([0, 4]) }; // norm 5
      const clipped = clipByGlobalNorm(grads, 1);
      assert.ok(Math.abs(clipped.norm - 5) < 1e-6);
      assertClose(clipped.grads.a.dataSync(), [3 / (5 + 1e-6), 0], { atol: 1e-7 }, 'a');
      const untouched = clipByGlobalNorm(grads, 10);
      assert.deepEqual([...untouched.grads.b.dataSync()], [0, 4]);
      assert.notEqual(untouched.grads.b, grads.b, 'always new tensors');
    });
  });
});

describe('Ema', () => {
  it('averages with the given decay after each update and owns its copy', () => {
    const before = tf.memory().numTensors;
    const store = new ParamStore();
    store.add('w', tf.tensor1d([0, 10]));
    store.add('frozen', tf.tensor1d([1]), { trainable: false });
    const ema = new Ema(store, 0.9);
    store.assign('w', tf.tidy(() => tf.tensor1d([1, 0])));
    ema.update(store);
    assertClose(ema.store().get('w').dataSync(), [0.1, 9], { atol: 1e-6 }, 'after 1 update');
    ema.update(store);
    assertClose(ema.store().get('w').dataSync(), [0.19, 8.1], { atol: 1e-6 }, 'after 2 updates');
    assert.deepEqual(ema.store().names(), ['w', 'frozen']);
    assert.equal(ema.store().trainableVariables().size, 0, 'the EMA copy is frozen');
    const only = new Ema(store, 0.5, ['frozen']);
    assert.deepEqual(only.store().names(), ['frozen']);
    only.dispose();
    ema.dispose();
    store.dispose();
    assert.ok(tf.memory().numTensors <= before + 1); // + the tensor passed to assign inside tidy (returned)
  });
});

describe('warmupCosine', () => {
  it('warms up linearly as (step + 1)/warmup from warmupFrom, then follows the cosine to final', () => {
    const lr = warmupCosine({ base: 2e-4, final: 2e-5, warmupSteps: 4, totalSteps: 14 });
    assertClose([0, 1, 2, 3].map(lr), [5e-5, 1e-4, 1.5e-4, 2e-4], { rtol: 1e-12 }, 'warm-up');
    assert.ok(Math.abs(lr(4) - 2e-4) < 1e-15);
    assert.ok(Math.abs(lr(9) - (2e-5 + 1.8e-4 * 0.5)) < 1e-15, 'half-way');
    assert.ok(Math.abs(lr(14) - 2e-5) < 1e-15 && Math.abs(lr(100) - 2e-5) < 1e-15, 'floor');
    const from = warmupCosine({ base: 1, final: 0, warmupSteps: 2, totalSteps: 4, warmupFrom: 0.5 });
    assert.deepEqual([from(0), from(1)], [0.75, 1]);
    assert.equal(warmupCosine({ base: 1, final: 0.5, warmupSteps: 0, totalSteps: 2 })(0), 1);
    assert.throws(() => warmupCosine({ base: 1, final: 0, warmupSteps: 5, totalSteps: 3 }), /totalSteps/);
  });
});
