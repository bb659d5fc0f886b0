/**
 * The plain VQ quantizer (`quantizer.kind: 'vq'`) exports like SimVQ: its searched codebook is the learned C itself,
 * so tokenize and decode graphs of a tiny VQ model equal tfjs (indices identical, pixels within 1e-4 relative).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, VQ_KEYS } from '@vqrae/tokenizer';
import { exportOnnx, readModelMetadata } from '../src/index.js';
import { relativeError, runArtifact, seededPixels, withTensor } from './helpers.js';

test('ONNX export of a tiny plain-VQ model: tokenize and decode equal tfjs', async () => {
  const tiny = presetConfig('tiny');
  const model = await createVqrae({ ...tiny, quantizer: { kind: 'vq', ...tiny.quantizer } }, { seed: 7 });
  // A trained-looking codebook (spread rows) instead of the ±1/k init, so no token sits near a tie.
  const spread = tf.randomNormal([512, 96], 0, 1, 'float32', 3); // [k, e]
  model.params.assign(VQ_KEYS.codebook, spread);
  spread.dispose();
  const baseline = tf.memory().numTensors;
  const s = model.inputSize;
  const pixels = seededPixels(2, s, 5);
  const dims = [2, s, s, 3];
  const refIndices = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.tokenize(t)) as Int32Array;
  const refPixels = withTensor<tf.Tensor2D>(refIndices, [2, model.tokensPerImage], (t) => model.decode(t)) as Float32Array;
  assert.ok(new Set(refIndices).size > 10, 'tokens spread over the codebook');
  const tokenize = exportOnnx(model, 'tokenize');
  assert.equal(JSON.parse(readModelMetadata(tokenize.model)['vqrae.config']).quantizer.kind, 'vq');
  assert.deepEqual([...(await runArtifact(tokenize, { pixels: { data: pixels, dims } })).indices], [...refIndices]);
  const decoded = await runArtifact(exportOnnx(model, 'decode'), { indices: { data: refIndices, dims: [2, model.tokensPerImage] } });
  assert.ok(relativeError(decoded.pixels as Float32Array, refPixels) < 1e-4, `decode pixels ${relativeError(decoded.pixels as Float32Array, refPixels)}`);
  model.quantizer.invalidateCache();
  assert.equal(tf.memory().numTensors, baseline, 'export leaves no tensors behind (the inference cache is freed)');
  model.dispose();
});
