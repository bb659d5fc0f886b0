/**
 * Exported graphs of the tiny SigLIP preset equal the tfjs model: indices identical, features and pixels within 1e-4
 * relative in float32; float16 within the documented tolerance; dynamic batch 1 and 3; metadata; no leaked tensors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx, readModelMetadata } from '../src/index.js';
import { relativeError, runArtifact, seededPixels, withTensor } from './helpers.js';

describe('ONNX export parity: tiny SigLIP preset', () => {
  let model: VqraeModel;
  let baseline: number;
  before(async () => {
    model = await createVqrae(presetConfig('tiny'), { seed: 7 });
    baseline = tf.memory().numTensors;
  });
  after(() => model.dispose());

  for (const batch of [1, 3]) {
    it(`tokenize / reconstruct / encode / features / decode equal tfjs at batch ${batch}`, async () => {
      const s = model.inputSize;
      const pixels = seededPixels(batch, s, 11 + batch);
      const dims = [batch, s, s, 3];
      const refIndices = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.tokenize(t)) as Int32Array;
      const refFeatures = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.features(t)) as Float32Array;
      const refPixels = withTensor<tf.Tensor2D>(refIndices, [batch, model.tokensPerImage], (t) => model.decode(t)) as Float32Array;
      const warm = tf.memory().numTensors; // the quantizer caches C' on first use
      const tokenize = await runArtifact(exportOnnx(model, 'tokenize'), { pixels: { data: pixels, dims } });
      assert.deepEqual([...tokenize.indices], [...refIndices]);
      const recon = await runArtifact(exportOnnx(model, 'reconstruct'), { pixels: { data: pixels, dims } });
      assert.deepEqual([...recon.indices], [...refIndices]);
      assert.ok(relativeError(recon.reconstruction as Float32Array, refPixels) < 1e-4, `reconstruct pixels ${relativeError(recon.reconstruction as Float32Array, refPixels)}`);
      const encode = await runArtifact(exportOnnx(model, 'encode'), { pixels: { data: pixels, dims } });
      assert.deepEqual([...encode.indices], [...refIndices]);
      assert.ok(relativeError(encode.features as Float32Array, refFeatures) < 1e-4);
      const features = await runArtifact(exportOnnx(model, 'features'), { pixels: { data: pixels, dims } });
      assert.ok(relativeError(features.features as Float32Array, refFeatures) < 1e-4, `features ${relativeError(features.features as Float32Array, refFeatures)}`);
      const decode = await runArtifact(exportOnnx(model, 'decode'), { indices: { data: refIndices, dims: [batch, model.tokensPerImage] } });
      assert.ok(relativeError(decode.pixels as Float32Array, refPixels) < 1e-4);
      assert.equal(tf.memory().numTensors, warm, 'export leaves no tensors behind');
    });
  }

  it('writes the provenance metadata', () => {
    const meta = readModelMetadata(exportOnnx(model, 'tokenize', { metadata: { 'vqrae.checkpoint_sha256': 'abc' } }).model);
    assert.equal(meta['vqrae.graph'], 'tokenize');
    assert.equal(meta['vqrae.preset'], 'tiny');
    assert.equal(meta['vqrae.checkpoint_sha256'], 'abc');
    assert.deepEqual(JSON.parse(meta['vqrae.config']), model.config);
    assert.match(meta['vqrae.input'], /pixel01 float32 NHWC \[batch, 32, 32, 3\]/);
    assert.match(meta['vqrae.tie_rule'], /first minimum/);
    assert.match(meta['vqrae.exporter'], /@vqrae\/onnx/);
    assert.deepEqual(JSON.parse(meta['vqrae.normalisation']).mean, [0.5, 0.5, 0.5]);
  });

  it('tensor count is back to its baseline', () => {
    assert.equal(tf.memory().numTensors, baseline + 3, 'only the quantizer cache (C\', C\'ᵀ, norms) was added');
  });
});
