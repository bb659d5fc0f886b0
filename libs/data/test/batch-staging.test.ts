import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { batchImages, loadImage, tuneSharpForStreaming, writePixels, type RgbImage } from '../src/index.js';
import { backendCopiesOnWrite, BatchStaging } from '../src/batch/staging.js';
import { collect, FIXTURES, fromArray, testContext } from './helpers.js';

const image = (width: number, height: number, seed: number): RgbImage => ({
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37 + seed * 101) % 256),
  width,
  height,
  channels: 3,
});

/** The conversion as it was before the staging buffer: v / 255 (pixel01) or 2v / 255 − 1 (pm1) per byte. */
function reference(images: readonly RgbImage[], range: 'pixel01' | 'pm1'): Float32Array {
  const out = new Float32Array(images.reduce((n, img) => n + img.data.length, 0));
  let o = 0;
  for (const img of images) for (const v of img.data) out[o++] = range === 'pixel01' ? v / 255 : (2 * v) / 255 - 1;
  return out;
}

test('writePixels is bit-identical to v/255 and 2v/255 − 1 for every byte value, at any offset', () => {
  const all = Uint8Array.from({ length: 259 }, (_, i) => i % 256); // length not a multiple of the unroll
  for (const range of ['pixel01', 'pm1'] as const) {
    const target = new Float32Array(all.length + 5).fill(7);
    writePixels(target, 5, all, range);
    assert.deepEqual(target.subarray(5), reference([{ data: all, width: 259, height: 1, channels: 3 }], range));
    assert.deepEqual([...target.subarray(0, 5)], [7, 7, 7, 7, 7]);
  }
});

/** Runs `body` on `backend`, then restores the test backend (all test files share one process). */
async function onBackend(backend: string, body: () => Promise<void>): Promise<void> {
  const previous = tf.getBackend();
  await tf.setBackend(backend);
  try {
    await body();
  } finally {
    await tf.setBackend(previous);
  }
}

for (const backend of ['wasm', 'cpu']) {
  test(`batchImages (${backend}): staged batches equal the per-image conversion bit for bit, earlier batches stay intact, nothing leaks`, async () => {
    await onBackend(backend, async () => {
      const before = tf.memory().numTensors;
      const images = Array.from({ length: 7 }, (_, i) => image(5, 4, i));
      const samples = images.map((img, i) => ({ meta: { key: `k${i}`, shard: 's.tar', index: i }, image: img }));
      for (const range of ['pixel01', 'pm1'] as const) {
        const batches = await collect(batchImages({ batchSize: 3, range }).run(fromArray(samples), testContext()));
        assert.deepEqual(batches.map((b) => b.images.shape), [[3, 4, 5, 3], [3, 4, 5, 3], [1, 4, 5, 3]]);
        // read every batch only after all were emitted: a reused staging buffer must not have changed earlier ones
        for (const [b, batch] of batches.entries()) {
          assert.deepEqual(await batch.images.data(), reference(images.slice(3 * b, 3 * b + 3), range), `${range} batch ${b}`);
        }
        tf.dispose(batches.map((b) => b.images));
      }
      assert.equal(tf.memory().numTensors, before);
    });
  });
}

test('BatchStaging reuses its array only on backends that copy tensor data (wasm yes, cpu no)', async () => {
  for (const [backend, copies] of [['wasm', true], ['cpu', false]] as const) {
    await onBackend(backend, async () => {
      assert.equal(backendCopiesOnWrite(), copies, backend);
      const staging = new BatchStaging(2, 'pixel01');
      staging.write(0, image(2, 2, 1).data);
      staging.write(1, image(2, 2, 2).data);
      const first = staging.take(2, 2, 2);
      const firstValues = first.dataSync().slice();
      staging.write(0, image(2, 2, 3).data); // would overwrite `first` if the cpu backend's array were reused
      staging.write(1, image(2, 2, 4).data);
      const second = staging.take(2, 2, 2);
      assert.deepEqual(first.dataSync(), firstValues, backend);
      assert.deepEqual(second.dataSync(), reference([image(2, 2, 3), image(2, 2, 4)], 'pixel01'));
      assert.throws(() => staging.take(2, 3, 3), /do not match the staged data/);
      tf.dispose([first, second]);
    });
  }
});

test('tuneSharpForStreaming turns the libvips operation cache off; decoded pixels do not depend on it', async () => {
  const jpg = fs.readFileSync(path.join(FIXTURES, 'images', 'photo-333x517.jpg'));
  const crop = { protocol: 'center', size: 64 } as const;
  await tuneSharpForStreaming();
  assert.equal(sharp.cache().items.max, 0);
  sharp.cache(true);
  try {
    const cached = await loadImage(jpg, { crop });
    const again = await loadImage(jpg, { crop });
    sharp.cache(false);
    const uncached = await loadImage(jpg, { crop });
    assert.deepEqual(uncached.data, cached.data);
    assert.deepEqual(again.data, cached.data);
  } finally {
    sharp.cache(false);
  }
});
