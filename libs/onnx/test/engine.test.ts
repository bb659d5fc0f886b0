/**
 * OnnxEngine on the tiny preset: same host arrays as the tfjs engine, one session per graph reused across calls,
 * clear errors for bad input and unavailable providers, sessions created only for the graphs called, provider listing, and tensors released on dispose.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, presetConfig, tfjsEngine, type TokenizerEngine } from '@vqrae/tokenizer';
import { OnnxEngine, listExecutionProviders, loadOnnxRuntime, ortErrorMessage } from '../src/index.js';
import { relativeError, seededPixels } from './helpers.js';

describe('OnnxEngine (tiny preset, cpu)', () => {
  let baseline: number;
  let onnx: OnnxEngine;
  let reference: TokenizerEngine;
  let tmpBefore: Set<string>;
  before(async () => {
    tmpBefore = new Set(await readdir(os.tmpdir()));
    baseline = tf.memory().numTensors;
    onnx = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 3 }), { ep: 'cpu', threads: 1 });
    reference = tfjsEngine(await createVqrae(presetConfig('tiny'), { seed: 3 }));
  });
  after(async () => {
    await onnx.dispose();
    await reference.dispose();
  });

  it('describes itself and the model', () => {
    assert.equal(onnx.kind, 'onnx');
    assert.equal(onnx.label, 'onnx(cpu, 1 thread)');
    assert.deepEqual([onnx.inputSize, onnx.outputSize, onnx.tokensPerImage, onnx.codebookSize, onnx.featureWidth], [32, 32, 64, 512, 64]);
    assert.deepEqual(onnx.loadedGraphs, [], 'create() probes the provider but builds no graph');
  });

  it('creates sessions lazily per graph: decode-only use builds only the decode session', async () => {
    const decoder = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 3 }), { ep: 'cpu', threads: 1 });
    try {
      assert.deepEqual(decoder.loadedGraphs, []);
      const indices = Int32Array.from({ length: 2 * 64 }, (_, i) => (i * 37) % 512); // [2, N]
      const pixels = await decoder.decode(indices, 2);
      assert.deepEqual(decoder.loadedGraphs, ['decode']);
      assert.ok(relativeError(pixels, await reference.decode(indices, 2)) < 1e-4);
      await decoder.decode(indices.subarray(0, 64), 1);
      assert.deepEqual(decoder.loadedGraphs, ['decode'], 'the decode session is reused');
    } finally {
      await decoder.dispose();
    }
  });

  it('returns the tfjs engine\'s indices, features and pixels, reusing one session per graph', async () => {
    for (const batch of [3, 1, 3]) {
      const pixels = { data: seededPixels(batch, 32, 40 + batch), batch, size: 32 };
      const copy = Float32Array.from(pixels.data);
      const indices = await onnx.tokenize(pixels);
      assert.deepEqual([...indices], [...(await reference.tokenize(pixels))]);
      const recon = await onnx.reconstruct(pixels);
      const refRecon = await reference.reconstruct(pixels);
      assert.deepEqual([...recon.indices], [...refRecon.indices]);
      assert.ok(relativeError(recon.pixels, refRecon.pixels) < 1e-4);
      assert.ok(relativeError(await onnx.features(pixels), await reference.features(pixels)) < 1e-4);
      assert.ok(relativeError(await onnx.decode(indices, batch), await reference.decode(indices, batch)) < 1e-4);
      assert.deepEqual(pixels.data, copy, 'input untouched');
    }
    assert.deepEqual(onnx.loadedGraphs, ['tokenize', 'reconstruct', 'features', 'decode']);
  });

  it('rejects bad input with a message naming the engine and the call', async () => {
    await assert.rejects(onnx.tokenize({ data: new Float32Array(10), batch: 1, size: 32 }), /onnx\(cpu, 1 thread\)\.tokenize: pixel data has 10 values/);
    await assert.rejects(onnx.features({ data: new Float32Array(3 * 16 * 16), batch: 1, size: 16 }), /features: images are 16×16, the encoder takes 32×32/);
    await assert.rejects(onnx.decode(new Int32Array(64).fill(512), 1), /decode: index 512 at image 0, token 0 is outside \[0, 512\)/);
    await assert.rejects(onnx.decode(new Int32Array(10), 1), /decode: 10 indices, expected 1×64 = 64/);
  });

  it('fails on an unavailable provider with how to get it, leaving the model to the caller', async () => {
    const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
    try {
      await assert.rejects(OnnxEngine.create(model, { ep: 'cuda' }), /provider 'cuda'.*ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node/);
      await assert.rejects(OnnxEngine.create(model, { ep: 'gpu' as 'cuda' }), /unknown execution provider 'gpu' \(expected one of cpu, webgpu, cuda, tensorrt\)/);
      await assert.rejects(OnnxEngine.create(model, { ep: 'cpu', threads: 0 }), /threads must be a positive integer, got 0/);
    } finally {
      model.dispose();
    }
  });

  it('lists the providers (cpu loads; the others say why not or load)', async () => {
    assert.equal((await loadOnnxRuntime()).ok, true);
    const rows = await listExecutionProviders();
    assert.deepEqual(rows.map((r) => r.name), ['cpu', 'webgpu', 'cuda', 'tensorrt']);
    assert.equal(rows[0].loads, true);
    for (const row of rows) assert.ok(row.loads || row.note.length > 0);
  });

  it('loads graphs with external data through a temporary folder (same results, folder removed)', async () => {
    const external = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 3 }), { ep: 'cpu', threads: 1, externalDataThreshold: 4096 });
    try {
      const pixels = { data: seededPixels(2, 32, 77), batch: 2, size: 32 };
      const a = await external.reconstruct(pixels);
      const b = await onnx.reconstruct(pixels);
      assert.deepEqual([...a.indices], [...b.indices]);
      assert.deepEqual([...a.pixels], [...b.pixels]);
      const leftovers = (await readdir(os.tmpdir())).filter((name) => name.startsWith('vqrae-onnx-session-') && !tmpBefore.has(name));
      assert.deepEqual(leftovers, []);
    } finally {
      await external.dispose();
    }
  });

  it('dispose is idempotent and frees the model', async () => {
    const engine = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 5 }), { ep: 'cpu', threads: 1 });
    const before = tf.memory().numTensors;
    await engine.dispose();
    await engine.dispose();
    assert.ok(tf.memory().numTensors < before);
    await assert.rejects(engine.tokenize({ data: new Float32Array(32 * 32 * 3), batch: 1, size: 32 }), /the engine was disposed/);
  });

  after(() => {
    // runs after the suite's own `after` (declared first): both engines disposed → back to the baseline
    assert.equal(tf.memory().numTensors, baseline);
  });
});

describe('ortErrorMessage', () => {
  it('keeps the readable part of an ORT_ENFORCE message and drops bare source locations', () => {
    const enforce = new Error(
      '/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(const onnxruntime::webgpu::WebGpuContextConfig&)::<lambda()> ' +
        'adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters\n',
    );
    assert.equal(ortErrorMessage(enforce), 'Failed to get a WebGPU adapter: No supported adapters');
    assert.equal(ortErrorMessage(new Error('/src/a/b.cc:12 Load model failed\nmore')), 'Load model failed');
    assert.equal(ortErrorMessage(new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library')), 'OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library');
    assert.equal(ortErrorMessage('plain'), 'plain');
  });
});
