import * as tf from '@tensorflow/tfjs-core';
import { createStageContext } from '@vqrae/graph';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { namedFeatureSpace } from '../../src/fid/feature-space.js';
import { featureStatsSink, functionFeatureExtractor } from '../../src/fid/feature-stats-sink.js';
import { FidInception } from '../../src/fid/fid-inception.js';
import { FID_FIXTURES } from './fid-fixtures.js';

const metas = (n: number, offset: number) => Array.from({ length: n }, (_, i) => ({ key: `k${offset + i}`, shard: 's.tar', index: offset + i }));

test('featureStatsSink accumulates the same moments as extracting directly, in sub-batches, without leaks', async () => {
  const model = await FidInception.load(path.join(FID_FIXTURES, 'fid_inception_w16_weights.safetensors'), { widthDivisor: 16 });
  const images = [tf.randomUniform([3, 40, 36, 3], 0, 1, 'float32', 7), tf.randomUniform([2, 40, 36, 3], 0, 1, 'float32', 8)] as tf.Tensor4D[];
  const before = tf.memory().numTensors;
  const sink = featureStatsSink({ extractor: model, range: 'pixel01', use: 'reconstruction', maxBatch: 2 });
  const ctx = createStageContext({ name: sink.name });
  await sink.write({ metas: metas(3, 0), images: images[0]! }, ctx);
  await sink.write({ metas: metas(2, 3), images: images[1]! }, ctx);
  const result = await sink.finish!(ctx);
  assert.equal(tf.memory().numTensors, before, 'sink leaked tensors or disposed its input');
  assert.equal(result.moments.count, 5);
  assert.equal(result.label, 'FD[fid-inception-width-1of16]');
  const direct = await Promise.all(images.map((x) => model.extract(x, 'pixel01')));
  const all = tf.concat(direct);
  const sum = await tf.sum(all, 0).data();
  for (let i = 0; i < 128; i++) assert.ok(Math.abs(result.moments.sum[i]! - sum[i]!) < 1e-4 * (1 + Math.abs(sum[i]!)), `feature ${i}`);
  tf.dispose([...direct, all, ...images]);
  model.dispose();
});

test('functionFeatureExtractor labels FD[name] and checks the feature shape', async () => {
  const space = namedFeatureSpace('mean-rgb', 'per-channel mean colour (toy)');
  const extractor = functionFeatureExtractor(space, 3, (x) => tf.mean(x, [1, 2]) as tf.Tensor2D);
  const sink = featureStatsSink({ extractor, range: 'pixel01', use: 'reconstruction' });
  const ctx = createStageContext({ name: sink.name });
  const x = tf.ones([2, 4, 4, 3]) as tf.Tensor4D;
  await sink.write({ metas: metas(2, 0), images: x }, ctx);
  const result = await sink.finish!(ctx);
  assert.equal(result.label, 'FD[mean-rgb]');
  assert.deepEqual([...result.moments.sum], [2, 2, 2]);
  const wrong = functionFeatureExtractor(space, 4, (images) => tf.mean(images, [1, 2]) as tf.Tensor2D);
  const bad = featureStatsSink({ extractor: wrong, range: 'pixel01', use: 'reconstruction' });
  await assert.rejects(async () => bad.write({ metas: metas(2, 7), images: x }, ctx), /key k7, shard s\.tar.*expected \[2, 4\] features, got \[2, 3\]/);
  x.dispose();
});
