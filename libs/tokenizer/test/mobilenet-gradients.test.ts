/**
 * The hand-written MobileNetV2 backward pieces equal what they replaced, value for value, without leaking tensors:
 * - `batchNormRelu6` (inference BN + ReLU6 as one op): its gradients w.r.t. the input, scale and shift equal those of
 *   the composed tfjs ops `clipByValue(add(mul(h, scale), shift), 0, 6)`, including pre-activations exactly 0 and 6
 *   (the gradient passes there, tfjs clipByValue's convention), 6 ± 1 ulp, and subnormals either side of 0.
 * - `dilatedPaddedGradient` equals the previous dilation (strided Slice to 2Ho−1, then pad [2, 2]) bit for bit.
 * - `pointwiseConv` (one op) equals the previous reshape → nn `linear` → reshape composition bit for bit.
 * (The conv input/kernel gradients are checked against native CPU kernels in mobilenet.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, linear, normalInit } from '@vqrae/nn';
import { batchNormRelu6, relu6Gradient } from '../src/encoders/mobilenet/batch-norm.js';
import { dilatedPaddedGradient, pointwiseConv } from '../src/encoders/mobilenet/conv-ops.js';

const ULP_ABOVE_6 = 6 + 2 ** -21; // float32 spacing at 6 is 2^-21
const ULP_BELOW_6 = 6 - 2 ** -21;
const SUBNORMAL = 1.401298464324817e-45; // smallest positive float32

/** Values at and around the ReLU6 boundaries, then standard normals ×4 + 3 (both clipped sides well covered). */
function preActivations(rng: Rng, shape: number[]): tf.Tensor {
  const special = [0, -0, 6, SUBNORMAL, -SUBNORMAL, ULP_ABOVE_6, ULP_BELOW_6, 1e-30, -1e-30, 5.9999995, 6.0000005, -6, 12, 3];
  const values = normalInit(rng, shape, 4).dataSync().map((v) => v + 3);
  special.forEach((v, i) => {
    values[i * 7] = v;
  });
  return tf.tensor(values, shape);
}

/** Asserts equal shapes and element-wise equal values (−0 equals +0; the old Select wrote +0 where dy·0 may give −0). */
function assertSameValues(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync();
  const e = expected.dataSync();
  const first = a.findIndex((v, i) => v !== e[i]);
  assert.equal(first, -1, `${what}: element ${first} is ${a[first]}, expected ${e[first]}`);
}

describe('batchNormRelu6 gradient equals the composed tfjs ops (clipByValue convention at 0 and 6)', () => {
  it('relu6Gradient equals tf.clipByValue(x, 0, 6) gradient, boundaries included', () => {
    const rng = new Rng(41);
    const x = preActivations(rng.fork('x'), [3, 5, 7, 11]);
    const dy = normalInit(rng.fork('dy'), [3, 5, 7, 11], 1);
    const before = tf.memory().numTensors;
    const reference = tf.grad((t: tf.Tensor) => tf.clipByValue(t, 0, 6))(x, dy);
    const ours = relu6Gradient(dy, x);
    assertSameValues(ours, reference, 'relu6 gradient');
    const passed = tf.tidy(() => Array.from(tf.notEqual(ours, 0).dataSync()));
    const xs = x.dataSync();
    [0, 6, SUBNORMAL, ULP_BELOW_6].forEach((v) => assert.equal(passed[xs.indexOf(v)], 1, `gradient passes at x = ${v}`));
    [-SUBNORMAL, ULP_ABOVE_6].forEach((v) => assert.equal(passed[xs.indexOf(v)], 0, `gradient blocked at x = ${v}`));
    tf.dispose([reference, ours]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, dy]);
  });

  for (const relu6 of [true, false]) {
    it(`input, scale and shift gradients (${relu6 ? 'with' : 'without'} ReLU6) equal mul → add${relu6 ? ' → clipByValue' : ''}`, () => {
      const rng = new Rng(relu6 ? 42 : 43);
      const shape = [2, 6, 5, 8];
      // Channels 0..3: scale 1, shift 0, so the special pre-activation values reach the ReLU6 exactly.
      const h = preActivations(rng.fork('h'), shape) as tf.Tensor4D;
      const scale = tf.tidy(() => tf.concat([tf.ones([4]), tf.add(normalInit(rng.fork('scale'), [4], 0.5), 1)]));
      const shift = tf.tidy(() => tf.concat([tf.zeros([4]), normalInit(rng.fork('shift'), [4], 1)]));
      const dy = normalInit(rng.fork('dy'), shape, 1);
      const before = tf.memory().numTensors;
      const composed = (a: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => {
        const z = tf.add(tf.mul(a, s), b);
        return relu6 ? tf.clipByValue(z, 0, 6) : z;
      };
      const reference = tf.grads(composed)([h, scale, shift], dy);
      const ours = tf.grads((a: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => batchNormRelu6(a as tf.Tensor4D, s, b, relu6))([h, scale, shift], dy);
      const forwardRef = tf.tidy(() => composed(h, scale, shift));
      const forward = batchNormRelu6(h, scale, shift, relu6);
      assertSameValues(forward, forwardRef, 'forward');
      ['dh', 'd scale', 'd shift'].forEach((what, i) => assertSameValues(ours[i], reference[i], what));
      tf.dispose([...reference, ...ours, forward, forwardRef]);
      assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
      tf.dispose([h, scale, shift, dy]);
    });
  }

  it('only the requested gradients are computed and nothing leaks (frozen scale/shift)', () => {
    const rng = new Rng(44);
    const h = preActivations(rng.fork('h'), [1, 4, 4, 3]) as tf.Tensor4D;
    const scale = tf.ones([3]);
    const shift = tf.zeros([3]);
    const before = tf.memory().numTensors;
    const dh = tf.grad((a: tf.Tensor) => tf.sum(batchNormRelu6(a as tf.Tensor4D, scale, shift, true)))(h);
    const reference = tf.grad((a: tf.Tensor) => tf.sum(tf.clipByValue(tf.add(tf.mul(a, scale), shift), 0, 6)))(h);
    assertSameValues(dh, reference, 'dh');
    tf.dispose([dh, reference]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([h, scale, shift]);
  });
});

/** The previous implementation: interleave zeros, slice the spread to 2Ho−1 × 2Wo−1 (strided), then pad by 2. */
function previousDilatedPadded(dy: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => {
    let dilated = dy;
    if (stride === 2) {
      const [b, h, w, c] = dy.shape;
      const spread = tf.reshape(tf.pad(tf.reshape(dy, [b * h, 1, w, c]), [[0, 0], [0, 1], [0, 0], [0, c]]), [b, 2 * h, 2 * w, c]); // [B, 2Ho, 2Wo, C]
      dilated = tf.slice(spread, [0, 0, 0, 0], [b, 2 * h - 1, 2 * w - 1, c]) as tf.Tensor4D;
    }
    return tf.pad(dilated, [[0, 0], [2, 2], [2, 2], [0, 0]]);
  });
}

describe('dilatedPaddedGradient', () => {
  for (const stride of [1, 2] as const) {
    it(`equals the previous dilate + pad bit for bit (stride ${stride})`, () => {
      const rng = new Rng(50 + stride);
      for (const shape of [[1, 1, 1, 1], [2, 3, 5, 4], [3, 7, 7, 9]]) {
        const dy = normalInit(rng.fork(shape.join('x')), shape, 1) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        const ours = tf.tidy(() => dilatedPaddedGradient(dy, stride));
        const previous = previousDilatedPadded(dy, stride);
        const [, h, w] = shape;
        assert.deepEqual(ours.shape, [shape[0], stride * (h - 1) + 5, stride * (w - 1) + 5, shape[3]]);
        assert.deepEqual(new Uint32Array(ours.dataSync().buffer), new Uint32Array(previous.dataSync().buffer), `shape ${shape.join('×')}`);
        tf.dispose([ours, previous]);
        assert.equal(tf.memory().numTensors, before);
        dy.dispose();
      }
    });
  }
});

describe('pointwiseConv', () => {
  it('value, input and kernel gradients equal reshape → linear → reshape bit for bit', () => {
    const rng = new Rng(60);
    const x = normalInit(rng.fork('x'), [2, 5, 3, 7], 1) as tf.Tensor4D;
    const kernel = normalInit(rng.fork('k'), [1, 1, 7, 6], 0.5);
    const dy = normalInit(rng.fork('dy'), [2, 5, 3, 6], 1);
    const previous = (a: tf.Tensor, k: tf.Tensor) => {
      const weight = tf.transpose(tf.reshape(k, [7, 6])); // [Cout, Cin]
      return tf.reshape(linear(tf.reshape(a, [30, 7]), weight), [2, 5, 3, 6]); // [B·H·W, Cout] → [B, H, W, Cout]
    };
    const before = tf.memory().numTensors;
    const value = pointwiseConv(x, kernel);
    const reference = tf.tidy(() => previous(x, kernel));
    const ours = tf.grads((a: tf.Tensor, k: tf.Tensor) => pointwiseConv(a as tf.Tensor4D, k))([x, kernel], dy);
    const expected = tf.grads(previous)([x, kernel], dy);
    const bits = (t: tf.Tensor) => new Uint32Array(t.dataSync().buffer);
    assert.deepEqual(bits(value), bits(reference), 'value');
    assert.deepEqual(bits(ours[0]), bits(expected[0]), 'dx');
    assert.deepEqual(bits(ours[1]), bits(expected[1]), 'd kernel');
    tf.dispose([value, reference, ...ours, ...expected]);
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([x, kernel, dy]);
  });
});
