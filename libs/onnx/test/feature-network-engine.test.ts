import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { EngineChoiceError } from '@vqrae/tokenizer';
import { FID_ENGINE_SUBJECT, loadOnnxRuntime, openFeatureNetworkEngine, openFidInceptionEngine } from '../src/index.js';

const FID_W16 = path.resolve(import.meta.dirname, '../../eval/test/fixtures/fid/fid_inception_w16_weights.safetensors');
const failing = async (): Promise<never> => {
  throw new Error('boom: no native binary');
};

test('openFidInceptionEngine: auto falls back to tfjs with the reason; a forced onnx engine that cannot load is an EngineChoiceError', async () => {
  const baseline = tf.memory().numTensors;
  const fallback = await openFidInceptionEngine(FID_W16, 'clean', { engine: 'auto', ep: 'cpu' }, { backend: 'cpu', loadOnnx: failing });
  assert.equal(fallback.message, `${FID_ENGINE_SUBJECT}: tfjs (cpu; auto: onnxruntime-node could not be loaded (boom: no native binary))`);
  assert.equal(fallback.value.featureDim, 128);
  fallback.value.dispose();
  await assert.rejects(openFidInceptionEngine(FID_W16, 'clean', { engine: 'onnx', ep: 'cpu' }, { backend: 'cpu', loadOnnx: failing }), EngineChoiceError);
  assert.equal(tf.memory().numTensors, baseline);
});

test('openFidInceptionEngine: the default loader opens ONNX Runtime when it loads (1 thread, forced)', async (t) => {
  if (!(await loadOnnxRuntime()).ok) return t.skip('onnxruntime-node does not load here');
  const onnx = await openFidInceptionEngine(FID_W16, 'clean', { engine: 'onnx', ep: 'cpu', threads: 1 }, { backend: 'cpu' });
  assert.equal(onnx.message, `${FID_ENGINE_SUBJECT}: onnx (cpu, 1 thread; forced by --engine)`);
  assert.deepEqual({ engine: onnx.record.engine, threads: onnx.record.threads }, { engine: 'onnx', threads: 1 });
  onnx.value.dispose();
});

test('openFeatureNetworkEngine: networks without an ONNX graph run on tfjs and say so, whatever the request', async () => {
  const baseline = tf.memory().numTensors;
  const mobile = await openFeatureNetworkEngine({ kind: 'mobilenetv2' }, { engine: 'onnx', ep: 'cpu' }, { backend: 'cpu', loadOnnx: failing });
  assert.equal(mobile.message, 'engine (FD network mobilenetv2): tfjs (cpu; mobilenetv2 has no ONNX graph)');
  assert.deepEqual(mobile.record, { engine: 'tfjs', requested: 'onnx', provider: 'cpu', threads: null, label: 'tfjs(cpu)', reason: 'mobilenetv2 has no ONNX graph' });
  mobile.value.dispose();
  assert.equal(tf.memory().numTensors, baseline);
});
