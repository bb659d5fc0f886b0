/**
 * float16 export within the documented tolerance of the tfjs float32 model, and an external-data export (threshold
 * forced small) that loads from disk and gives the same outputs as the in-memory model.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, type VqraeModel } from '@vqrae/tokenizer';
import { exportOnnx, onnx, readModelMetadata, writeOnnxArtifact } from '../src/index.js';
import { relativeError, runArtifact, seededPixels, withTensor } from './helpers.js';

/** The float16 tolerances stated in the README (max |Δ| / max |reference|; share of identical indices). */
const FP16 = { features: 5e-3, pixels: 2e-3, indexAgreement: 0.98 };

describe('float16 export and external data (tiny preset)', () => {
  let model: VqraeModel;
  let baseline: number;
  const batch = 4;
  const dims = [batch, 32, 32, 3];
  const pixels = seededPixels(batch, 32, 31);
  before(async () => {
    baseline = tf.memory().numTensors;
    model = await createVqrae(presetConfig('tiny'), { seed: 8 });
  });
  after(() => {
    model.dispose();
    assert.equal(tf.memory().numTensors, baseline, 'tensor count back to its baseline');
  });

  it(`fp16: features within ${FP16.features}, decoded pixels within ${FP16.pixels}, ≥ ${FP16.indexAgreement * 100}% identical indices`, async () => {
    const artifact = exportOnnx(model, 'encode', { fp16: true });
    const proto = onnx.ModelProto.decode(artifact.model);
    const typesOf = (pick: (name: string) => boolean) => [...new Set(proto.graph?.initializer?.filter((t) => pick(t.name ?? '')).map((t) => t.dataType))];
    assert.deepEqual(typesOf((name) => name.startsWith('vision_model.') && name.endsWith('^T')), [10], 'encoder matrices stored as float16');
    assert.deepEqual(typesOf((name) => name.includes('layer_norm')), [1], 'LayerNorm runs in float32');
    assert.match(readModelMetadata(artifact.model)['vqrae.precision'], /float16/);
    const out = await runArtifact(artifact, { pixels: { data: pixels, dims } });
    const refFeatures = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.features(t)) as Float32Array;
    const refIndices = withTensor<tf.Tensor4D>(pixels, dims, (t) => model.tokenize(t)) as Int32Array;
    assert.ok(relativeError(out.features as Float32Array, refFeatures) < FP16.features);
    const agreement = refIndices.filter((v, i) => v === out.indices[i]).length / refIndices.length;
    assert.ok(agreement >= FP16.indexAgreement, `index agreement ${agreement}`);
    const decoded = await runArtifact(exportOnnx(model, 'decode', { fp16: true }), { indices: { data: refIndices, dims: [batch, 64] } });
    const refPixels = withTensor<tf.Tensor2D>(refIndices, [batch, 64], (t) => model.decode(t)) as Float32Array;
    const err = relativeError(decoded.pixels as Float32Array, refPixels);
    assert.ok(err < FP16.pixels && err > 0, `fp16 pixels ${err}`);
  });

  it('external data: the model written with a side file loads by path and equals the inline model', async () => {
    const inline = exportOnnx(model, 'reconstruct');
    const external = exportOnnx(model, 'reconstruct', { externalDataThreshold: 4096 });
    assert.equal(inline.externalData, undefined);
    assert.ok(external.externalData !== undefined && external.externalData.byteLength > 100_000);
    assert.ok(external.model.byteLength < 100_000, 'weights left the model file');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-onnx-ext-'));
    try {
      const files = await writeOnnxArtifact(external, path.join(dir, 'tiny-reconstruct.onnx'));
      assert.deepEqual(files.map((f) => path.basename(f)), ['tiny-reconstruct.onnx', 'tiny-reconstruct.onnx.data']);
      const session = await ort.InferenceSession.create(files[0], { executionProviders: ['cpu'] });
      const fromDisk = await session.run({ pixels: new ort.Tensor('float32', pixels, dims) });
      await session.release();
      const fromMemory = await runArtifact(inline, { pixels: { data: pixels, dims } });
      assert.deepEqual([...(fromDisk.indices.data as Int32Array)], [...fromMemory.indices]);
      assert.deepEqual([...(fromDisk.reconstruction.data as Float32Array)], [...fromMemory.reconstruction]);
      assert.equal(readModelMetadata(external.model)['vqrae.graph'], 'reconstruct');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
