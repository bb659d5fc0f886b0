import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, imagesToTensor, pixelBatch, toUint8Pixels, type RgbImage } from '../src/index.js';

const image = (width: number, height: number, fill: (i: number) => number): RgbImage => ({
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => fill(i)),
  width,
  height,
  channels: 3,
});

/** The float32 value next to `x` towards `direction` (±1): one ulp away. */
function nextFloat32(x: number, direction: 1 | -1): number {
  const f = new Float32Array([x]);
  const bits = new Int32Array(f.buffer);
  if (x === 0) {
    bits[0] = direction > 0 ? 1 : -2147483647;
    return f[0]!;
  }
  bits[0]! += (x > 0 ? 1 : -1) * direction;
  return f[0]!;
}

/** Edge cases of the rounding: k/255 and (k + 0.5)/255 and their float32 neighbours, outside [0, 1], specials. */
function edgeValues(): Float32Array {
  const values: number[] = [0, -0, 1, -1e-30, 1e-30, -0.5 / 255, 2, 1e30, -1e30, Infinity, -Infinity, NaN];
  for (let k = 0; k <= 255; k++) {
    for (const centre of [k / 255, (k + 0.5) / 255, (k - 0.5) / 255]) {
      const c = Math.fround(centre);
      values.push(c, nextFloat32(c, 1), nextFloat32(c, -1), nextFloat32(nextFloat32(c, 1), 1), nextFloat32(nextFloat32(c, -1), -1));
    }
  }
  const rng = createRng(7);
  for (let i = 0; i < 20000; i++) values.push(rng.uniform(-0.1, 1.1));
  return Float32Array.from(values);
}

/** The former tensor roundings of the app: eval-batch/preview (clip then round) and image-output (round then clip). */
function tfjsRoundings(values: Float32Array): { clipFirst: Int32Array; clipLast: Int32Array } {
  return tf.tidy(() => {
    const x = tf.tensor1d(values, 'float32');
    const clipFirst = tf.cast(tf.floor(tf.add(tf.mul(tf.clipByValue(x, 0, 1), 255), 0.5)), 'int32');
    const clipLast = tf.cast(tf.clipByValue(tf.floor(tf.add(tf.mul(x, 255), 0.5)), 0, 255), 'int32');
    return { clipFirst: Int32Array.from(clipFirst.dataSync()), clipLast: Int32Array.from(clipLast.dataSync()) };
  });
}

test('toUint8Pixels: byte-identical to the tfjs float32 roundings on edge values (wasm and cpu backends)', async () => {
  const values = edgeValues();
  const host = toUint8Pixels(values);
  const backend = tf.getBackend();
  try {
    for (const name of [backend, 'cpu']) {
      assert.ok(await tf.setBackend(name), `backend ${name}`);
      const before = tf.memory().numTensors;
      const { clipFirst, clipLast } = tfjsRoundings(values);
      assert.equal(tf.memory().numTensors, before);
      for (let i = 0; i < values.length; i++) {
        assert.equal(host[i], clipFirst[i], `${name} clip-first: x=${values[i]} (index ${i})`);
        assert.equal(host[i], clipLast[i], `${name} clip-last: x=${values[i]} (index ${i})`);
      }
    }
  } finally {
    await tf.setBackend(backend);
  }
});

test('toUint8Pixels: documented values (half up, clamp, NaN → 0, float32 arithmetic)', () => {
  const cases: [number, number][] = [
    [0, 0], [-0, 0], [-3, 0], [NaN, 0], [-Infinity, 0], [Infinity, 255], [1, 255], [1.5, 255],
    [0.5 / 255, 1], [0.49 / 255, 0], [0.51 / 255, 1],
    [127.5 / 255, 128], [254.5 / 255, 255], [nextFloat32(1, -1), 255], [253.49 / 255, 253], [0.5, 128],
  ];
  const got = toUint8Pixels(Float32Array.from(cases.map(([x]) => x)));
  cases.forEach(([x, want], i) => assert.equal(got[i], want, `x=${x}`));
  // A Float64Array is narrowed to float32 first: same bytes as its float32 copy.
  const wide = Float64Array.from([0.5 / 255 - 1e-12, 0.3, 1.2, -0.1]);
  assert.deepEqual(toUint8Pixels(wide), toUint8Pixels(Float32Array.from(wide)));
});

test('pixelBatch: the very float32 values of imagesToTensor(pixel01), [B, S, S, 3]; uneven sizes fail naming the image', async () => {
  const before = tf.memory().numTensors;
  const a = image(3, 3, (i) => (i * 37) % 256);
  const b = image(3, 3, (i) => 255 - ((i * 11) % 256));
  const batch = pixelBatch([a, b]);
  assert.equal(batch.batch, 2);
  assert.equal(batch.size, 3);
  const tensor = imagesToTensor([a, b], 'pixel01');
  assert.deepEqual(batch.data, await tensor.data());
  tensor.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => pixelBatch([a, image(2, 2, () => 0)]), /pixelBatch: image 1 is 2×2/);
  assert.throws(() => pixelBatch([image(3, 2, () => 0)]), /image 0 is 3×2/);
  assert.throws(() => pixelBatch([]), /no images/);
  // Round trip: uint8 → pixel01 → uint8 is the identity.
  assert.deepEqual(toUint8Pixels(batch.data), Uint8Array.from([...a.data, ...b.data]));
});
