import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import fs from 'node:fs';
import path from 'node:path';
import { forEachSink, Graph } from '@vqrae/graph';
import { batchImages, collectingReporter, DatasetSpec, decodeImages, imagesToTensor, ShardWriter, type ImageBatch, type RgbImage } from '../src/index.js';
import { collect, FIXTURES, fromArray, tempDir, testContext } from './helpers.js';

const image = (size: number, fill: (i: number) => number): RgbImage => ({
  data: Uint8Array.from({ length: size * size * 3 }, (_, i) => fill(i)),
  width: size,
  height: size,
  channels: 3,
});
const sample = (key: string, img: RgbImage) => ({ meta: { key, shard: 's.tar', index: 0 }, image: img });

test('imagesToTensor: [B, H, W, 3] float32 in pixel01 and pm1, HWC order kept', async () => {
  const before = tf.memory().numTensors;
  const a = image(2, (i) => (i * 20) % 256);
  const b = image(2, () => 255);
  const t01 = imagesToTensor([a, b], 'pixel01');
  const tpm = imagesToTensor([a, b], 'pm1');
  assert.deepEqual(t01.shape, [2, 2, 2, 3]);
  assert.equal(t01.dtype, 'float32');
  const v01 = await t01.data();
  const vpm = await tpm.data();
  for (let i = 0; i < 12; i++) {
    assert.ok(Math.abs((v01[i] as number) - (a.data[i] as number) / 255) < 1e-7);
    assert.ok(Math.abs((vpm[i] as number) - ((2 * (a.data[i] as number)) / 255 - 1)) < 1e-6);
  }
  assert.equal(v01[12], 1);
  assert.equal(vpm[12], 1);
  assert.equal(vpm[0], -1);
  tf.dispose([t01, tpm]);
  assert.equal(tf.memory().numTensors, before);
});

test('batchImages: batches with metas, partial last batch or dropLast; consumer disposal leaves no tensors', async () => {
  const before = tf.memory().numTensors;
  const samples = Array.from({ length: 7 }, (_, i) => sample(`k${i}`, image(4, () => i)));
  const batches = await collect(batchImages({ batchSize: 3, range: 'pm1' }).run(fromArray(samples), testContext()));
  assert.deepEqual(batches.map((b) => b.images.shape[0]), [3, 3, 1]);
  assert.deepEqual(batches[1]?.metas.map((m) => m.key), ['k3', 'k4', 'k5']);
  assert.ok(Math.abs(((await batches[2]?.images.data())?.[0] as number) - ((2 * 6) / 255 - 1)) < 1e-6);
  assert.equal(tf.memory().numTensors, before + 3);
  for (const batch of batches) batch.images.dispose();
  assert.equal(tf.memory().numTensors, before);

  const dropped = await collect(batchImages({ batchSize: 3, dropLast: true }).run(fromArray(samples), testContext()));
  assert.equal(dropped.length, 2);
  tf.dispose(dropped.map((b) => b.images));
  // a consumer that stops early holds only the batches it received
  const stage = batchImages({ batchSize: 2 });
  for await (const batch of stage.run(fromArray(samples), testContext())) {
    batch.images.dispose();
    break;
  }
  assert.equal(tf.memory().numTensors, before);
});

test('batchImages: a differently sized image fails with its key, or is skipped', async () => {
  const before = tf.memory().numTensors;
  const samples = [sample('a', image(4, () => 1)), sample('odd', image(5, () => 1)), sample('b', image(4, () => 1))];
  await assert.rejects(collect(batchImages({ batchSize: 2 }).run(fromArray(samples), testContext())), /stage 'batch' failed \(key odd, shard s\.tar, index 0\): image is 5×5, the batch's is 4×4/);
  const ctx = testContext();
  const batches = await collect(batchImages({ batchSize: 2, onError: 'skip' }).run(fromArray(samples), ctx));
  assert.deepEqual(batches.map((b) => b.metas.map((m) => m.key)), [['a', 'b']]);
  assert.equal(ctx.skips[0]?.meta?.key, 'odd');
  tf.dispose(batches.map((b) => b.images));
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => batchImages({ batchSize: 0 }), /positive integer/);
});

test('shards → decode(center) → batch runs in a graph; bad samples are skipped with their key; no tensors leak', async () => {
  const { dir, cleanup } = tempDir();
  const before = tf.memory().numTensors;
  try {
    const jpg = fs.readFileSync(path.join(FIXTURES, 'images', 'photo-200x150.jpg'));
    const writer = new ShardWriter({ pattern: path.join(dir, 'g-%d.tar'), maxSamples: 3 });
    for (let i = 0; i < 7; i++) await writer.write({ key: `k${i}`, files: { jpg: i === 4 ? jpg.subarray(0, 300) : jpg } });
    await writer.close();
    const source = new DatasetSpec({ shards: path.join(dir, 'g-{0..2}.tar') }).asSource({ reporter: collectingReporter() });
    const shapes: number[][] = [];
    const summary = await Graph.from(source)
      .pipe(decodeImages({ crop: { protocol: 'center', size: 24 }, onError: 'skip' }))
      .pipe(batchImages({ batchSize: 4, range: 'pm1' }))
      .to(forEachSink('shapes', (batch: ImageBatch) => {
        shapes.push(batch.images.shape);
        batch.images.dispose();
      }))
      .run();
    assert.equal(summary.status, 'ok');
    assert.deepEqual(shapes, [[4, 24, 24, 3], [2, 24, 24, 3]]);
    assert.deepEqual(summary.skips.map((s) => [s.stage, s.key]), [['decode', 'k4']]);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    cleanup();
  }
});
