import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, conv1d, conv2d, normalInit } from '../src/index.js';
import { assertNoLeak, assertTensorClose } from './helpers.js';

/** Σ f(w)·dy is linear in w, so (L(w + v) − L(w − v))/2 = ⟨∂L/∂w, v⟩ up to float rounding. */
function assertWeightGradient(f: (w: tf.Tensor) => tf.Tensor, w: tf.Tensor, dy: tf.Tensor, rng: Rng, label: string): void {
  const dW = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(f(ww), dy)))(w);
  for (let trial = 0; trial < 3; trial++) {
    const v = normalInit(rng, w.shape, 1);
    const loss = (ww: tf.Tensor) => tf.sum(tf.mul(f(ww), dy)).dataSync()[0];
    const directional = (loss(tf.add(w, v)) - loss(tf.sub(w, v))) / 2;
    const analytic = tf.sum(tf.mul(dW, v)).dataSync()[0];
    assert.ok(Math.abs(directional - analytic) <= 1e-3 * (1 + Math.abs(analytic)), `${label}: ⟨dW, v⟩ ${analytic} vs ${directional}`);
  }
}

describe('conv2d (im2col + linear, trainable on wasm)', () => {
  const cases = [
    { name: 'k3 s1 p1', k: 3, stride: 1, pad: 1, h: 6, w: 5 },
    { name: 'k3 s2 p1', k: 3, stride: 2, pad: 1, h: 7, w: 9 },
    { name: 'k4 s2 p0', k: 4, stride: 2, pad: 0, h: 9, w: 8 },
  ];
  for (const c of cases) {
    it(`equals tf.conv2d and its input gradient; kernel gradient checked by linearity (${c.name})`, () => {
      const rng = new Rng(7);
      tf.tidy(() => {
        const x = normalInit(rng, [2, c.h, c.w, 3], 1);
        const weight = normalInit(rng, [4, 3, c.k, c.k], 0.3); // OIHW
        const bias = normalInit(rng, [4], 0.1);
        const reference = (xx: tf.Tensor, ww: tf.Tensor) => {
          const padded = tf.pad(xx, [[0, 0], [c.pad, c.pad], [c.pad, c.pad], [0, 0]]) as tf.Tensor4D;
          return tf.add(tf.conv2d(padded, tf.transpose(ww, [2, 3, 1, 0]) as tf.Tensor4D, c.stride, 'valid'), bias);
        };
        const expected = reference(x, weight);
        const ours = assertNoLeak('conv2d', () => conv2d(x, weight, bias, { stride: c.stride, padding: c.pad }));
        assertTensorClose(ours, expected, { atol: 1e-5, rtol: 1e-5 }, `${c.name} forward`);
        const frozen = conv2d(x, weight, bias, { stride: c.stride, padding: c.pad, frozen: true });
        assertTensorClose(frozen, expected, { atol: 1e-5, rtol: 1e-5 }, `${c.name} frozen forward`);
        const dy = normalInit(rng, expected.shape, 1);
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(conv2d(xx, weight, bias, { stride: c.stride, padding: c.pad }), dy)))(x);
        const dxRef = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(reference(xx, weight), dy)))(x);
        assertTensorClose(dx, dxRef, { atol: 1e-4, rtol: 1e-4 }, `${c.name} dx`);
        assertWeightGradient((ww) => conv2d(x, ww, bias, { stride: c.stride, padding: c.pad }), weight, dy, rng, c.name);
      });
    });
  }
});

describe('conv1d (tokens-last, zeros or circular padding)', () => {
  for (const mode of ['zeros', 'circular'] as const) {
    it(`equals tf.conv1d on the padded sequence and has correct gradients (${mode}, k=5, pad 2)`, () => {
      const rng = new Rng(8);
      tf.tidy(() => {
        const x = normalInit(rng, [2, 11, 6], 1);
        const weight = normalInit(rng, [4, 6, 5], 0.3); // torch Conv1d [out, in, k]
        const bias = normalInit(rng, [4], 0.1);
        const padSeq = (xx: tf.Tensor) =>
          mode === 'zeros'
            ? tf.pad(xx, [[0, 0], [2, 2], [0, 0]])
            : tf.concat([tf.slice(xx, [0, 9, 0], [-1, 2, -1]), xx, tf.slice(xx, [0, 0, 0], [-1, 2, -1])], 1);
        const reference = (xx: tf.Tensor) =>
          tf.add(tf.conv1d(padSeq(xx) as tf.Tensor3D, tf.transpose(weight, [2, 1, 0]) as tf.Tensor3D, 1, 'valid'), bias);
        const ours = assertNoLeak('conv1d', () => conv1d(x, weight, bias, { padding: 2, paddingMode: mode }));
        assert.deepEqual(ours.shape, [2, 11, 4]);
        assertTensorClose(ours, reference(x), { atol: 1e-5, rtol: 1e-5 }, `${mode} forward`);
        const dy = normalInit(rng, [2, 11, 4], 1);
        const dx = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(conv1d(xx, weight, bias, { padding: 2, paddingMode: mode }), dy)))(x);
        const dxRef = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(reference(xx), dy)))(x);
        assertTensorClose(dx, dxRef, { atol: 1e-4, rtol: 1e-4 }, `${mode} dx`);
        assertWeightGradient((ww) => conv1d(x, ww, bias, { padding: 2, paddingMode: mode }), weight, dy, rng, mode);
      });
    });
  }
});
