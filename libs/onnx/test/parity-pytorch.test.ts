/**
 * Exported graphs of the PyTorch-written VQRAE checkpoint (libs/tokenizer/test/fixtures, made by
 * tools/fixtures/tokenizer/make_parity_fixtures.py: HF SigLIP tower, SimVQ, RAE decoder on shared random weights)
 * reproduce the PyTorch outputs: indices identical, features and pixels within 1e-4 relative.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile } from '@vqrae/nn';
import { loadCheckpoint, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx } from '../src/index.js';
import { relativeError, runArtifact } from './helpers.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tokenizer/test/fixtures');

describe('ONNX export parity with the PyTorch fixture checkpoint', () => {
  let model: VqraeModel;
  let baseline: number;
  let io: Record<string, { data: Float32Array | Int32Array; shape: number[] }>;
  before(async () => {
    baseline = tf.memory().numTensors;
    model = await loadCheckpoint(path.join(FIXTURES, 'vqrae-parity.safetensors'));
    const file = await SafetensorsFile.open(path.join(FIXTURES, 'vqrae-parity-io.safetensors'));
    try {
      const tensors = await file.readAll();
      io = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { data: t.dataSync() as Float32Array | Int32Array, shape: [...t.shape] }]));
      tf.dispose(Object.values(tensors));
    } finally {
      await file.close();
    }
  });
  after(() => {
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });

  it('encode and reconstruct graphs give PyTorch\'s features, indices and reconstruction', async () => {
    const images = { data: io.images.data as Float32Array, dims: io.images.shape };
    const encode = await runArtifact(exportOnnx(model, 'encode'), { pixels: images });
    assert.ok(relativeError(encode.features as Float32Array, io.features.data as Float32Array) < 1e-4, 'features');
    assert.deepEqual([...encode.indices], [...io.indices.data].map(Number), 'indices');
    const recon = await runArtifact(exportOnnx(model, 'reconstruct'), { pixels: images });
    assert.deepEqual([...recon.indices], [...io.indices.data].map(Number));
    const err = relativeError(recon.reconstruction as Float32Array, io.reconstruction.data as Float32Array);
    assert.ok(err < 1e-4, `reconstruction ${err}`);
  });

  it('decode graph gives PyTorch\'s decode(indices)', async () => {
    const indices = Int32Array.from(io.indices.data, Number);
    const decode = await runArtifact(exportOnnx(model, 'decode'), { indices: { data: indices, dims: io.indices.shape } });
    const err = relativeError(decode.pixels as Float32Array, io.decoded_from_indices.data as Float32Array);
    assert.ok(err < 1e-4, `decode ${err}`);
  });
});
