import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { frechetLabel } from '@vqrae/eval';
import { createVqrae, presetConfig } from '@vqrae/tokenizer';
import { openFeatureExtractor } from '../src/index.js';

test('fallback feature networks: honest FD labels, [B, d] features from uint8 batches of any size, nothing leaked', async () => {
  const baseline = tf.memory().numTensors;
  const images = tf.tidy(() => tf.cast(tf.mul(tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7), 255), 'int32') as tf.Tensor4D);
  const mobile = await openFeatureExtractor({ kind: 'mobilenetv2' });
  try {
    assert.equal(frechetLabel(mobile.space, 'reconstruction'), 'FD[mobilenetv2-imagenet-stride16]');
    const features = await mobile.extract(images, 'uint8'); // resized to 224 inside
    assert.deepEqual(features.shape, [2, 576]);
    const values = await features.data();
    features.dispose();
    assert.ok(values.every(Number.isFinite));
  } finally {
    mobile.dispose();
  }
  const model = await createVqrae(presetConfig('tiny'), { seed: 2 });
  const own = await openFeatureExtractor({ kind: 'encoder', model, checkpointSha256: 'ab'.repeat(32) });
  const a = await own.extract(images, 'uint8');
  const pixel01 = tf.div(images, 255) as tf.Tensor4D;
  const b = await own.extract(pixel01, 'pixel01');
  assert.equal(frechetLabel(own.space, 'reconstruction'), 'FD[checkpoint-encoder-abababababab]');
  assert.deepEqual(a.shape, [2, 64]);
  assert.deepEqual(await a.data(), await b.data());
  tf.dispose([a, b, pixel01, images]);
  own.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, baseline);
});
