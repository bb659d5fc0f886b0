import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { pixel01Image, ssimTorchmetrics } from '@vqrae/eval';
import { createDefaultLossRegistry, disposeLossOutput, LOSS_NAMES, ssimPixelLoss } from '../src/index.js';

/** Seeded images in [0, 1]: a smooth pattern plus deterministic pseudo-noise, [B, H, W, 3] row-major. */
function pattern(batch: number, size: number, phase: number): Float32Array {
  const data = new Float32Array(batch * size * size * 3);
  let state = 12345 + phase * 7919;
  for (let i = 0; i < data.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const noise = state / 2147483648 - 0.5;
    const pixel = Math.floor(i / 3);
    data[i] = Math.min(1, Math.max(0, 0.5 + 0.35 * Math.sin(0.3 * (pixel % size) + phase + (i % 3)) + 0.2 * noise));
  }
  return data;
}

test('ssim loss = 1 − the float64 host SSIM (torchmetrics variant) per batch mean, to float32 precision', () => {
  const [batch, size] = [2, 24];
  const [x, y] = [pattern(batch, size, 0), pattern(batch, size, 1)];
  const before = tf.memory().numTensors;
  const a = tf.tensor4d(x, [batch, size, size, 3]);
  const b = tf.tensor4d(y, [batch, size, size, 3]);
  const output = ssimPixelLoss(a, b);
  const perImage = size * size * 3;
  let hostMean = 0;
  for (let i = 0; i < batch; i++) {
    const image = (d: Float32Array) => pixel01Image(d.subarray(i * perImage, (i + 1) * perImage), size, size, 3);
    hostMean += ssimTorchmetrics(image(x), image(y)) / batch;
  }
  const value = output.total.dataSync()[0];
  assert.ok(Math.abs(value - (1 - hostMean)) < 2e-5, `loss ${value} vs 1 − host SSIM ${1 - hostMean}`);
  assert.ok(hostMean > 0.05 && hostMean < 0.95, `a non-trivial pair (SSIM ${hostMean})`);
  assert.deepEqual(Object.keys(output.terms), [LOSS_NAMES.ssim]);
  const same = ssimPixelLoss(a, a);
  assert.ok(Math.abs(same.total.dataSync()[0]) < 1e-6, 'identical images: loss 0');
  disposeLossOutput(output);
  disposeLossOutput(same);
  tf.dispose([a, b]);
  assert.equal(tf.memory().numTensors, before);
});

test('ssim loss: gradient descent on the reconstruction raises SSIM (differentiable on the test backend), no leak', () => {
  const [batch, size] = [1, 16];
  const target = tf.tensor4d(pattern(batch, size, 2), [batch, size, size, 3]);
  const start = tf.tensor4d(pattern(batch, size, 5), [batch, size, size, 3]);
  const before = tf.memory().numTensors;
  const lossOf = (x: tf.Tensor4D) => ssimPixelLoss(x, target).total;
  const first = tf.tidy(() => lossOf(start).dataSync()[0]);
  const moved = tf.tidy(() => {
    const gradient = tf.grad((x: tf.Tensor) => lossOf(x as tf.Tensor4D))(start);
    assert.ok(tf.max(tf.abs(gradient)).dataSync()[0] > 0, 'non-zero gradient');
    return tf.sub(start, tf.mul(gradient, 50)) as tf.Tensor4D;
  });
  const after = tf.tidy(() => lossOf(moved).dataSync()[0]);
  assert.ok(after < first, `one step lowers 1 − SSIM: ${first} → ${after}`);
  moved.dispose();
  assert.equal(tf.memory().numTensors, before);
  const loss = createDefaultLossRegistry().create(LOSS_NAMES.ssim, {});
  assert.match(loss.describe(), /ssim/);
  assert.throws(() => ssimPixelLoss(target, tf.zeros([1, 16, 8, 3]) as tf.Tensor4D), /loss ssim/);
  tf.dispose([target, start]);
});
