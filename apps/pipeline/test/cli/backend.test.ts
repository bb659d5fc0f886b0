import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BackendError, selectBackend, type ModuleLoader } from '../../src/cli/index.js';

const realImport: ModuleLoader = (specifier) => import(specifier);

describe('backend selection', () => {
  afterEach(async () => {
    if (tf.findBackend('tensorflow') || tf.findBackendFactory('tensorflow')) tf.removeBackend('tensorflow');
    await tf.setBackend('wasm');
  });

  test('auto falls back to wasm here (tfjs-node packages are optional and not installed) and says why', async () => {
    const selection = await selectBackend('auto');
    assert.equal(selection.name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(
      selection.message,
      'backend: wasm via @tensorflow/tfjs-backend-wasm (tensorflow unavailable: @tensorflow/tfjs-node-gpu not installed, ' +
        '@tensorflow/tfjs-node not installed; for a GPU: npm install @tensorflow/tfjs-node-gpu)',
    );
  });

  test('--backend cpu / wasm force that backend', async () => {
    assert.equal((await selectBackend('cpu')).message, 'backend: cpu via @tensorflow/tfjs (forced by --backend)');
    assert.equal(tf.getBackend(), 'cpu');
    assert.equal((await selectBackend('wasm')).name, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
  });

  test('--backend tensorflow fails clearly when tfjs-node is not installed (no silent fallback)', async () => {
    await assert.rejects(selectBackend('tensorflow'), (e: unknown) =>
      e instanceof BackendError &&
      /^backend 'tensorflow' could not be started: tensorflow unavailable: @tensorflow\/tfjs-node-gpu not installed, @tensorflow\/tfjs-node not installed; for a GPU: npm install @tensorflow\/tfjs-node-gpu/.test(e.message));
  });

  test('auto picks tensorflow when a tfjs-node package loads and registers it (simulated), gpu package first', async () => {
    const tried: string[] = [];
    const loader: ModuleLoader = async (specifier) => {
      tried.push(specifier);
      if (specifier === '@tensorflow/tfjs-node-gpu') throw Object.assign(new Error('libcudart.so.11.0: cannot open shared object file'), { code: 'ERR_DLOPEN_FAILED' });
      if (specifier === '@tensorflow/tfjs-node') {
        const cpuFactory = tf.findBackendFactory('cpu');
        assert.ok(cpuFactory);
        tf.registerBackend('tensorflow', cpuFactory); // what tfjs-node does on import, with a stand-in kernel set
        return {};
      }
      return realImport(specifier);
    };
    const selection = await selectBackend('auto', loader);
    assert.deepEqual(tried, ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']);
    assert.equal(selection.name, 'tensorflow');
    assert.equal(selection.package, '@tensorflow/tfjs-node');
    assert.equal(tf.getBackend(), 'tensorflow');
    assert.match(selection.message, /tfjs-node-gpu failed to load \(libcudart\.so\.11\.0: cannot open shared object file\)/);
  });
});
