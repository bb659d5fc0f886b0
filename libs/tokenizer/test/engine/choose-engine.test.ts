import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineChoiceError, chooseEngine, type EngineChoiceOptions, type EngineOpeners } from '../../src/index.js';

type Fake = { readonly runtimeVersion: string };

/** Openers over plain strings: the rule is tested without tfjs or onnxruntime. */
function openers(overrides: Partial<EngineOpeners<string, Fake>> = {}): EngineOpeners<string, Fake> & { readonly calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    subject: 'engine',
    backend: 'cpu',
    loadOnnx: async () => {
      calls.push('loadOnnx');
      return { runtimeVersion: '9.9.9' };
    },
    openOnnx: async (_onnx, ep, threads) => {
      calls.push(`openOnnx ${ep} ${threads}`);
      return { value: 'onnx-network', label: `onnx(${ep})` };
    },
    openTfjs: async () => {
      calls.push('openTfjs');
      return { value: 'tfjs-network', label: 'tfjs(cpu)' };
    },
    ...overrides,
  };
}

const request = (engine: string, ep = 'cpu', threads?: number): EngineChoiceOptions =>
  ({ engine, ep, threads }) as EngineChoiceOptions;
const rejecting = (message: string) => async (): Promise<never> => {
  throw new Error(message);
};

test('chooseEngine: auto picks ONNX Runtime when it loads and starts, and records why', async () => {
  const o = openers();
  const chosen = await chooseEngine(request('auto', 'cpu', 3), o);
  assert.equal(chosen.value, 'onnx-network');
  assert.deepEqual(chosen.record, { engine: 'onnx', requested: 'auto', provider: 'cpu', threads: 3, label: 'onnx(cpu)', reason: 'auto: onnxruntime-node 9.9.9 loads' });
  assert.equal(chosen.message, 'engine: onnx (cpu, 3 threads; auto: onnxruntime-node 9.9.9 loads)');
  assert.deepEqual(o.calls, ['loadOnnx', 'openOnnx cpu 3']);
  const single = await chooseEngine(request('onnx', 'cpu', 1), openers());
  assert.equal(single.message, 'engine: onnx (cpu, 1 thread; forced by --engine)');
});

test('chooseEngine: auto falls back to tfjs with the reason (runtime missing, or the network cannot start on it)', async () => {
  const missing = await chooseEngine(request('auto'), openers({ loadOnnx: rejecting('no native binary\nstack') }));
  assert.equal(missing.value, 'tfjs-network');
  assert.equal(missing.record.threads, null);
  assert.equal(missing.message, 'engine: tfjs (cpu; auto: onnxruntime-node could not be loaded (no native binary))');
  const broken = await chooseEngine(request('auto', 'cpu', 2), openers({ openOnnx: rejecting('unsupported layer') }));
  assert.equal(broken.record.reason, 'auto: the ONNX engine could not start (unsupported layer)');
  assert.equal(broken.record.engine, 'tfjs');
});

test('chooseEngine: a forced engine or provider never falls back; requests it cannot honour are EngineChoiceErrors', async () => {
  const o = openers();
  const tfjs = await chooseEngine(request('tfjs'), o);
  assert.equal(tfjs.message, 'engine: tfjs (cpu; forced by --engine)');
  assert.deepEqual(o.calls, ['openTfjs'], 'forcing tfjs never loads onnxruntime');
  const cases: Array<[EngineChoiceOptions, Partial<EngineOpeners<string, Fake>>, string]> = [
    [request('tfjs', 'cuda'), {}, '--ep cuda needs --engine onnx (or auto); the tfjs engine runs on --backend'],
    [request('onnx'), { loadOnnx: rejecting('gone') }, '--engine onnx: onnxruntime-node could not be loaded (gone)'],
    [request('auto', 'webgpu'), { loadOnnx: rejecting('gone') }, '--ep webgpu needs the onnx engine, but onnxruntime-node could not be loaded (gone)'],
    [request('fast'), {}, '--engine fast: must be one of auto, onnx, tfjs'],
    [request('auto', 'metal'), {}, '--ep metal: must be one of cpu, webgpu, cuda, tensorrt'],
  ];
  for (const [options, overrides, message] of cases) {
    await assert.rejects(chooseEngine(options, openers(overrides)), (error: unknown) => error instanceof EngineChoiceError && error.message === message);
  }
  // The opener's own error surfaces unchanged when the engine or provider was forced.
  await assert.rejects(chooseEngine(request('onnx'), openers({ openOnnx: rejecting('unsupported layer') })), /^Error: unsupported layer$/);
  await assert.rejects(chooseEngine(request('auto', 'cuda'), openers({ openOnnx: rejecting('no CUDA') })), /^Error: no CUDA$/);
});
