import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, EngineChoiceError, openTokenizerEngine, presetConfig, tfjsOnlyEngine, type TokenizerEngineDeps } from '../../src/index.js';

const request = (engine: 'auto' | 'onnx' | 'tfjs', ep: 'cpu' | 'cuda' = 'cpu') => ({ engine, ep, threads: 1 });
const failing = async (): Promise<never> => {
  throw new Error('boom: no native binary');
};
/** An ONNX side that loads but cannot build this model's graph. */
const brokenOnnx: TokenizerEngineDeps['loadOnnx'] = async () => ({
  runtimeVersion: '0.0.0',
  OnnxEngine: { create: async () => Promise.reject(new Error('exportOnnx: unsupported layer')) },
});

test('openTokenizerEngine: the tfjs fallback owns the model (dispose frees it); a failed forced open leaves it with the caller', async () => {
  const baseline = tf.memory().numTensors;
  const fallback = await openTokenizerEngine(await createVqrae(presetConfig('tiny'), { seed: 1 }), request('auto'), { backend: 'cpu', loadOnnx: brokenOnnx });
  assert.equal(fallback.message, 'engine: tfjs (cpu; auto: the ONNX engine could not start (exportOnnx: unsupported layer))');
  assert.deepEqual(fallback.record, { engine: 'tfjs', requested: 'auto', provider: 'cpu', threads: null, label: 'tfjs(cpu)', reason: 'auto: the ONNX engine could not start (exportOnnx: unsupported layer)' });
  assert.equal(fallback.value.tokensPerImage, 64);
  await fallback.value.dispose();
  assert.equal(tf.memory().numTensors, baseline, 'the engine freed its model');

  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  await assert.rejects(openTokenizerEngine(model, request('onnx'), { backend: 'cpu', loadOnnx: brokenOnnx }), /unsupported layer/);
  await assert.rejects(openTokenizerEngine(model, request('onnx'), { backend: 'cpu', loadOnnx: failing }), (e: unknown) => e instanceof EngineChoiceError && /--engine onnx: onnxruntime-node could not be loaded \(boom/.test(e.message));
  model.dispose();
  assert.equal(tf.memory().numTensors, baseline);
});

test('tfjsOnlyEngine: auto says why tfjs; a forced onnx engine or a non-cpu provider is an EngineChoiceError naming the reason', () => {
  const why = '--hf towers run on tfjs';
  assert.deepEqual(tfjsOnlyEngine(request('auto'), 'wasm', 'tfjs(wasm)', why), {
    record: { engine: 'tfjs', requested: 'auto', provider: 'wasm', threads: null, label: 'tfjs(wasm)', reason: `auto: ${why}` },
    message: `engine: tfjs (wasm; auto: ${why})`,
  });
  assert.equal(tfjsOnlyEngine(request('tfjs'), 'wasm', 'tfjs(wasm)', why).record.reason, 'forced by --engine');
  assert.throws(() => tfjsOnlyEngine(request('onnx'), 'wasm', 'x', why), (e: unknown) => e instanceof EngineChoiceError && e.message === `--engine onnx: ${why}`);
  assert.throws(() => tfjsOnlyEngine(request('auto', 'cuda'), 'wasm', 'x', why), (e: unknown) => e instanceof EngineChoiceError && e.message === `--ep cuda needs the onnx engine: ${why}`);
});
