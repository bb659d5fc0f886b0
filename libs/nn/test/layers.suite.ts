import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, defineCustomOp, gelu, geluTanh, layerNorm, linear, mlp, normalInit, stopGradient, straightThrough } from '../src/index.js';
import { assertClose, assertNoLeak, assertTensorClose } from './helpers.js';

/** Gradients of Σ f(inputs)·cotangent w.r.t. every input. */
function vjp(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], cotangent: tf.Tensor): tf.Tensor[] {
  return tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), cotangent)))(inputs);
}

/** erf by its Maclaurin series (float64; cancellation keeps ~1e-10 accuracy for |x| <= 3.6). */
function erf64(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe('linear', () => {
  const cases: { name: string; xShape: number[]; bias: boolean }[] = [
    { name: 'rank 3 with bias', xShape: [2, 7, 12], bias: true },
    { name: 'rank 2 without bias', xShape: [9, 12], bias: false },
    { name: 'rank 4 with bias', xShape: [2, 3, 2, 12], bias: true },
    { name: 'rank 1 with bias', xShape: [12], bias: true },
  ];
  for (const c of cases) {
    it(`forward and gradients equal tf.matMul with its built-in gradient (${c.name})`, () => {
      const rng = new Rng(10);
      const x = normalInit(rng, c.xShape, 1);
      const w = normalInit(rng, [5, 12], 0.5);
      const b = normalInit(rng, [5], 0.5);
      const outShape = [...c.xShape.slice(0, -1), 5];
      const dy = normalInit(rng, outShape, 1);
      const reference = (xs: tf.Tensor, ws: tf.Tensor, bs?: tf.Tensor): tf.Tensor => {
        const x2 = tf.reshape(xs, [-1, 12]);
        const y2 = tf.matMul(x2, ws, false, true);
        return tf.reshape(bs === undefined ? y2 : tf.add(y2, bs), outShape);
      };
      tf.tidy(() => {
        const inputs = c.bias ? [x, w, b] : [x, w];
        const ours = assertNoLeak('linear fwd+bwd', () =>
          tf.tidy(() => {
            const y = linear(x, w, c.bias ? b : undefined);
            return [y, ...vjp((...a) => linear(a[0], a[1], a[2]), inputs, dy)];
          }),
        );
        const theirs = [reference(x, w, c.bias ? b : undefined), ...vjp((...a) => reference(a[0], a[1], a[2]), inputs, dy)];
        ours.forEach((t, i) => assertTensorClose(t, theirs[i], { atol: 1e-5, rtol: 1e-5 }, `${c.name} output ${i}`));
      });
      tf.dispose([x, w, b, dy]);
    });
  }

  it('computes only the gradients the tape needs (lazy per-input gradients)', async () => {
    const rng = new Rng(11);
    const x = normalInit(rng, [6, 4], 1);
    const w = normalInit(rng, [3, 4], 1);
    const b = normalInit(rng, [3], 1);
    const matMuls = async (f: () => tf.Tensor | tf.Tensor[]): Promise<number> => {
      const info = await tf.profile(() => {
        const out = f();
        tf.dispose(out);
      });
      return info.kernels.filter((k) => k.name === 'BatchMatMul' || k.name === '_FusedMatMul').length;
    };
    assert.equal(await matMuls(() => tf.grad((v: tf.Tensor) => tf.sum(linear(v, w, b)))(x)), 2, 'forward + dx only');
    assert.equal(await matMuls(() => tf.grad((v: tf.Tensor) => tf.sum(linear(x, v, b)))(w)), 2, 'forward + dW only');
    assert.equal(await matMuls(() => tf.grads((v: tf.Tensor, u: tf.Tensor) => tf.sum(linear(v, u, b)))([x, w])), 3, 'forward + dx + dW');
    let unusedCalls = 0;
    const op = defineCustomOp('probe', 2, ([a, c]) => ({
      value: tf.mul(a, c),
      gradFunc: (dy) => [
        () => tf.mul(dy, 2),
        () => {
          unusedCalls += 1;
          return tf.zerosLike(dy);
        },
      ],
    }));
    const constant = tf.onesLike(b);
    tf.tidy(() => tf.grad((v: tf.Tensor) => tf.sum(op(v, constant)))(b));
    constant.dispose();
    assert.equal(unusedCalls, 0, 'gradient of a constant input is never evaluated');
    tf.dispose([x, w, b]);
  });

  it('rejects mismatched shapes with a clear message', () => {
    tf.tidy(() => {
      assert.throws(() => linear(tf.zeros([2, 3]), tf.zeros([4, 5])), /linear: input \[2, 3\] does not end with in=5/);
      assert.throws(() => linear(tf.zeros([2, 5]), tf.zeros([4, 5]), tf.zeros([3])), /bias must be \[4\]/);
    });
  });
});

describe('layerNorm', () => {
  const reference = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined, eps: number): tf.Tensor => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    let y = tf.div(centred, tf.sqrt(tf.add(variance, eps)));
    if (gamma !== undefined) y = tf.mul(y, gamma);
    if (beta !== undefined) y = tf.add(y, beta);
    return y;
  };

  for (const variant of ['affine', 'scale', 'plain'] as const) {
    it(`forward and gradients equal the op-by-op formula with built-in gradients (${variant})`, () => {
      const rng = new Rng(20);
      tf.tidy(() => {
        const x = tf.add(normalInit(rng, [3, 4, 16], 2), 0.7);
        const gamma = variant === 'plain' ? undefined : normalInit(rng, [16], 1, 1);
        const beta = variant === 'affine' ? normalInit(rng, [16], 1) : undefined;
        const dy = normalInit(rng, [3, 4, 16], 1);
        const inputs = [x, gamma, beta].filter((t): t is tf.Tensor => t !== undefined);
        const ours = assertNoLeak('layerNorm fwd+bwd', () =>
          tf.tidy(() => [layerNorm(x, gamma, beta, 1e-6), ...vjp((...a) => layerNorm(a[0], a[1], a[2], 1e-6), inputs, dy)]),
        );
        const theirs = [reference(x, gamma, beta, 1e-6), ...vjp((...a) => reference(a[0], a[1], a[2], 1e-6), inputs, dy)];
        ours.forEach((t, i) => assertTensorClose(t, theirs[i], { atol: 2e-5, rtol: 1e-4 }, `${variant} output ${i}`));
      });
    });
  }

  it('uses population variance and the given eps', () => {
    tf.tidy(() => {
      const y = layerNorm(tf.tensor2d([[1, 3]]), undefined, undefined, 1e-12).dataSync();
      assertClose(y, [-1, 1], { atol: 1e-6 }, 'population variance'); // mean 2, var 1
      const big = layerNorm(tf.tensor2d([[1, 3]]), undefined, undefined, 3).dataSync();
      assertClose(big, [-0.5, 0.5], { atol: 1e-6 }, 'eps 3: 1/sqrt(1 + 3)');
    });
  });
});

describe('GELU', () => {
  const xs = [-4, -2.5, -1, -0.3, 0, 0.2, 1, 1.7, 3, 5];
  it('gelu matches 0.5·x·(1 + erf(x/√2)) and geluTanh matches the tanh formula', () => {
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const exact = xs.map((v) => 0.5 * v * (1 + erf64(v / Math.SQRT2)));
      assertClose(gelu(x).dataSync(), exact, { atol: 2e-6, rtol: 2e-6 }, 'gelu');
      const approx = xs.map((v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))));
      assertClose(geluTanh(x).dataSync(), approx, { atol: 2e-6, rtol: 2e-6 }, 'geluTanh');
    });
  });

  it('gradients equal the built-in gradients of the composite formulas (tfjs registers Erf_grad)', () => {
    tf.tidy(() => {
      const x = tf.tensor1d(xs);
      const dy = normalInit(new Rng(3), [xs.length], 1);
      const geluRef = (v: tf.Tensor): tf.Tensor => tf.mul(tf.mul(0.5, v), tf.add(1, tf.erf(tf.div(v, Math.SQRT2))));
      const tanhRef = (v: tf.Tensor): tf.Tensor =>
        tf.mul(tf.mul(0.5, v), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(v, tf.mul(0.044715, tf.pow(v, 3)))))));
      const [ours] = assertNoLeak('gelu grad', () => tf.tidy(() => vjp(gelu, [x], dy)));
      assertTensorClose(ours, vjp(geluRef, [x], dy)[0], { atol: 1e-5, rtol: 1e-5 }, 'gelu grad');
      const [oursTanh] = vjp(geluTanh, [x], dy);
      assertTensorClose(oursTanh, vjp(tanhRef, [x], dy)[0], { atol: 1e-5, rtol: 1e-5 }, 'geluTanh grad');
      // and the float64 analytic derivative Φ(x) + x·φ(x)
      const analytic = xs.map((v) => 0.5 * (1 + erf64(v / Math.SQRT2)) + (v * Math.exp(-v * v / 2)) / Math.sqrt(2 * Math.PI));
      const dOnes = vjp(gelu, [x], tf.onesLike(x))[0].dataSync();
      assertClose(dOnes, analytic, { atol: 2e-6 }, 'gelu derivative');
    });
  });
});

describe('mlp', () => {
  it('is fc2(act(fc1(x)))', () => {
    const rng = new Rng(30);
    tf.tidy(() => {
      const x = normalInit(rng, [2, 3, 8], 1);
      const fc1 = { weight: normalInit(rng, [16, 8], 0.3), bias: normalInit(rng, [16], 0.1) };
      const fc2 = { weight: normalInit(rng, [8, 16], 0.3), bias: normalInit(rng, [8], 0.1) };
      const y = assertNoLeak('mlp', () => mlp(x, fc1, fc2, 'gelu_tanh'));
      const expected = linear(geluTanh(linear(x, fc1.weight, fc1.bias)), fc2.weight, fc2.bias);
      assertTensorClose(y, expected, { atol: 1e-6 }, 'mlp');
    });
  });
});

describe('stopGradient and straightThrough', () => {
  it('stopGradient is the identity with a zero gradient', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([1, -2, 3]);
      assert.deepEqual([...stopGradient(x).dataSync()], [1, -2, 3]);
      const [g] = assertNoLeak('sg grad', () => tf.grads((v: tf.Tensor) => tf.sum(tf.add(tf.square(stopGradient(v)), v)))([x]));
      assert.deepEqual([...g.dataSync()], [1, 1, 1]); // only the non-stopped path contributes
    });
  });

  it('straightThrough has the value q, gradient all-ones to z for sum, zero to q', () => {
    tf.tidy(() => {
      const z = tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]);
      const q = tf.tensor2d([[1, 2], [3, 4]]);
      assert.deepEqual([...straightThrough(z, q).dataSync()], [1, 2, 3, 4]);
      const [dz, dq] = assertNoLeak('ste grad', () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(straightThrough(a, b)))([z, q]));
      assert.deepEqual([...dz.dataSync()], [1, 1, 1, 1]);
      assert.deepEqual([...dq.dataSync()], [0, 0, 0, 0]);
      const [dzWeighted] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(straightThrough(a, q), tf.tensor2d([[1, 2], [3, 4]]))))([z]);
      assert.deepEqual([...dzWeighted.dataSync()], [1, 2, 3, 4]);
      assert.throws(() => straightThrough(z, tf.zeros([4])), /same shape/);
    });
  });
});
