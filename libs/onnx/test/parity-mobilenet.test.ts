/**
 * Exported graphs of the small-cpu preset (embedded MobileNetV2 stride-16 encoder, 224 px, 196 tokens, k = 1024)
 * equal the tfjs model: indices identical, features and pixels within 1e-4 relative (float32).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx } from '../src/index.js';
import { relativeError, runArtifact, seededPixels, withTensor } from './helpers.js';

describe('ONNX export parity: small-cpu (MobileNetV2 stride 16)', () => {
  let model: VqraeModel;
  let baseline: number;
  before(async () => {
    baseline = tf.memory().numTensors;
    model = await createVqrae(presetConfig('small-cpu'), { seed: 2 });
  });
  after(() => {
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });

  it('encode (features + indices) and reconstruct equal tfjs at batch 2', async () => {
    const batch = 2;
    const dims = [batch, 224, 224, 3];
    const pixels = seededPixels(batch, 224, 5);
    const encoded = tf.tidy(() => model.encode(tf.tensor4d(pixels, dims as [number, number, number, number]))); // one encoder pass
    const refFeatures = encoded.features.dataSync() as Float32Array; // read outside the tidy
    const refIndices = encoded.indices.dataSync() as Int32Array;
    tf.dispose([encoded.features, encoded.indices, encoded.quantized]);
    const refPixels = withTensor<tf.Tensor2D>(refIndices, [batch, 196], (t) => model.decode(t)) as Float32Array;
    const before = tf.memory().numTensors;
    const encode = await runArtifact(exportOnnx(model, 'encode'), { pixels: { data: pixels, dims } });
    const featureError = relativeError(encode.features as Float32Array, refFeatures);
    assert.ok(featureError < 1e-4, `features ${featureError}`);
    assert.deepEqual([...encode.indices], [...refIndices]);
    const recon = await runArtifact(exportOnnx(model, 'reconstruct'), { pixels: { data: pixels, dims } });
    assert.deepEqual([...recon.indices], [...refIndices]);
    const pixelError = relativeError(recon.reconstruction as Float32Array, refPixels);
    assert.ok(pixelError < 1e-4, `pixels ${pixelError}`);
    assert.equal(tf.memory().numTensors, before, 'export leaves no tensors behind');
  });
});
