/**
 * Long test (VQRAE_LONG_TESTS=1): the SigLIP2-base-patch16-256 encoder shape (12 layers, d 768, 256 tokens) with
 * random weights, a small codebook and decoder: the exported encode graph equals tfjs (features 1e-4, indices
 * identical). External data is covered on the tiny preset (fp16-external.test.ts, engine.test.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { SIGLIP_ENCODER_PRESETS, createVqrae, presetConfig, type VqraeConfig, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx } from '../src/index.js';
import { relativeError, runArtifact, seededPixels } from './helpers.js';

describe('ONNX export parity: SigLIP2-base encoder shape (long)', () => {
  let model: VqraeModel;
  before(async () => {
    const tiny = presetConfig('tiny');
    const config: VqraeConfig = {
      ...tiny,
      preset: 'test-siglip2-base',
      encoder: SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256'],
      quantizer: { ...tiny.quantizer, codebookSize: 2048, codebookDim: 256, codebookInitStd: 1 / 16 },
    };
    model = await createVqrae(config, { seed: 12 });
  });
  after(() => model.dispose());

  it('encode graph equals tfjs at batch 2', async () => {
    const batch = 2;
    const dims = [batch, 256, 256, 3];
    const pixels = seededPixels(batch, 256, 3);
    const encoded = tf.tidy(() => model.encode(tf.tensor4d(pixels, [batch, 256, 256, 3])));
    const features = encoded.features.dataSync() as Float32Array; // read outside the tidy
    const indices = encoded.indices.dataSync() as Int32Array;
    tf.dispose([encoded.features, encoded.indices, encoded.quantized]);
    const inline = await runArtifact(exportOnnx(model, 'encode'), { pixels: { data: pixels, dims } });
    const err = relativeError(inline.features as Float32Array, features);
    assert.ok(err < 1e-4, `features ${err}`);
    assert.deepEqual([...inline.indices], [...indices]);
  });
});
