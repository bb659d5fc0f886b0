import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { resizeBilinearHalfPixel } from '../src/adversarial/dino-resize.js';
import { expectNoLeak, maxAbsDiff } from './helpers/fixtures.js';

for (const [inH, inW, outH, outW] of [
  [20, 28, 32, 32], // up (the DINO fixture)
  [40, 36, 24, 17], // down, non-square
  [9, 9, 9, 9], // identity
]) {
  test(`resizeBilinearHalfPixel ${inH}×${inW} → ${outH}×${outW}: forward = tf half-pixel resize; gradient is the exact adjoint`, async () => {
    const x = tf.randomNormal([2, inH, inW, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const probe = tf.randomNormal([2, outH, outW, 3], 0, 1, 'float32', 6);
    await expectNoLeak('resizeBilinearHalfPixel', () => {
      const ours = resizeBilinearHalfPixel(x, outH, outW);
      const reference = tf.image.resizeBilinear(x, [outH, outW], false, true);
      // float32 source coordinates in the tf kernel vs float64 weights here: ~1e-6 relative
      assert.ok(maxAbsDiff(ours, reference) < 5e-5, `forward differs by ${maxAbsDiff(ours, reference)}`);
      // Adjoint (dot-product) test: <R x, p> = <x, Rᵀ p>, with Rᵀ p the gradient of <R x, p> w.r.t. x.
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resizeBilinearHalfPixel(input as tf.Tensor4D, outH, outW), probe)))(x);
      assert.deepEqual(grad.shape, x.shape);
      const lhs = tf.tidy(() => tf.sum(tf.mul(ours, probe)).dataSync()[0]);
      const rhs = tf.tidy(() => tf.sum(tf.mul(x, grad)).dataSync()[0]);
      assert.ok(Math.abs(lhs - rhs) < 1e-4 * Math.max(1, Math.abs(lhs)), `<Rx, p> = ${lhs} but <x, Rᵀp> = ${rhs}`);
      // Rows of R sum to 1: the gradient of Σ R x is Rᵀ·1, whose total is the number of output pixels.
      const ones = tf.grad((input: tf.Tensor) => tf.sum(resizeBilinearHalfPixel(input as tf.Tensor4D, outH, outW)))(x);
      assert.ok(Math.abs(tf.tidy(() => tf.sum(ones).dataSync()[0]) - 2 * outH * outW * 3) < 1e-5 * 2 * outH * outW * 3);
      tf.dispose([ours, reference, grad, ones]);
    });
    tf.dispose([x, probe]);
  });
}
