import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { ssimTorchmetrics, ssimTorchmetricsTensor, type Uint8Image } from '../../src/index.js';
import { loadFixtureImage } from './load-fixture-image.js';

/** Top-left 64×64 crop as a pixel01 tensor [1, 64, 64, 3] and as a uint8 host image. */
function crop(image: Uint8Image, side: number): { host: Uint8Image; tensor: tf.Tensor4D } {
  const data = new Uint8Array(side * side * 3);
  for (let r = 0; r < side; r++) data.set(image.data.subarray(r * image.width * 3, r * image.width * 3 + side * 3), r * side * 3);
  const host: Uint8Image = { kind: 'uint8', data, height: side, width: side, channels: 3 };
  return { host, tensor: tf.tensor4d(Float32Array.from(data, (v) => v / 255), [1, side, side, 3]) };
}

describe('ssimTorchmetricsTensor (differentiable, tfjs)', () => {
  it('matches the float64 host SSIM within 3e-5 in both border modes, without leaking tensors', async () => {
    const a = crop(await loadFixtureImage('coffee.png'), 64);
    const b = crop(await loadFixtureImage('coffee-jpeg.png'), 64);
    const before = tf.memory().numTensors;
    for (const border of ['full', 'crop'] as const) {
      const left = tf.concat([a.tensor, b.tensor]); // [2, 64, 64, 3]
      const right = tf.concat([b.tensor, b.tensor]);
      const got = ssimTorchmetricsTensor(left, right, { border });
      const values = await got.data();
      tf.dispose([got, left, right]);
      assert.ok(Math.abs(values[0] - ssimTorchmetrics(a.host, b.host, { border })) < 3e-5, `${border}: ${values[0]}`);
      assert.ok(Math.abs(values[1] - 1) < 1e-5);
    }
    assert.equal(tf.memory().numTensors, before);
    a.tensor.dispose();
    b.tensor.dispose();
  });

  it('has a finite gradient that raises SSIM when followed', async () => {
    const a = crop(await loadFixtureImage('chelsea.png'), 32);
    const b = crop(await loadFixtureImage('chelsea-noise.png'), 32);
    const before = tf.memory().numTensors;
    const grad = tf.grad((y: tf.Tensor) => tf.sum(ssimTorchmetricsTensor(a.tensor, y as tf.Tensor4D)));
    const g = grad(b.tensor);
    const stepped = tf.tidy(() => tf.add(b.tensor, tf.mul(g, 0.05)) as tf.Tensor4D);
    const [s0, s1] = [ssimTorchmetricsTensor(a.tensor, b.tensor), ssimTorchmetricsTensor(a.tensor, stepped)];
    const gradValues = await g.data();
    assert.ok(gradValues.every(Number.isFinite));
    assert.ok((await s1.data())[0] > (await s0.data())[0]);
    tf.dispose([g, stepped, s0, s1]);
    assert.equal(tf.memory().numTensors, before);
    a.tensor.dispose();
    b.tensor.dispose();
  });
});
