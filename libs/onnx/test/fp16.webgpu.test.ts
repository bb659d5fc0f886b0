/**
 * Opt-in (VQRAE_WEBGPU_TESTS=1, tools/webgpu/run-tests.sh): float16 graphs on the WebGPU provider stay finite and
 * close to float32 on the CPU provider. WebGPU computes in float16 end to end (CPU fp16 kernels keep more float32), so
 * its bound is wider: measured 3.1e-3 relative on the tiny reconstruction. Regression guard: before LayerNorm ran in
 * float32, the decoder's eps 1e-12 underflowed in float16 and the all-zero cls row made every pixel NaN.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVqrae, presetConfig } from '@vqrae/tokenizer';
import { OnnxEngine } from '../src/index.js';
import { relativeError, seededPixels } from './helpers.js';

const SKIP = process.env.VQRAE_WEBGPU_TESTS === '1' ? false : 'WebGPU tests are opt-in: VQRAE_WEBGPU_TESTS=1 (tools/webgpu/run-tests.sh)';

test('WebGPU provider, fp16: tiny reconstruct is finite, ≥ 98% of the CPU float32 tokens, pixels within 1e-2 relative', { skip: SKIP }, async () => {
  const pixels = { data: seededPixels(2, 32, 5), batch: 2, size: 32 };
  const cpu = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 1 }), { ep: 'cpu', threads: 1 });
  const gpu = await OnnxEngine.create(await createVqrae(presetConfig('tiny'), { seed: 1 }), { ep: 'webgpu', fp16: true });
  try {
    const reference = await cpu.reconstruct(pixels);
    const out = await gpu.reconstruct(pixels);
    assert.ok(out.pixels.every(Number.isFinite), 'every pixel finite');
    const agreement = out.indices.filter((v, i) => v === reference.indices[i]).length / reference.indices.length;
    assert.ok(agreement >= 0.98, `token agreement ${agreement}`);
    const err = relativeError(out.pixels, reference.pixels);
    assert.ok(err < 1e-2, `pixels ${err}`);
  } finally {
    await gpu.dispose();
    await cpu.dispose();
  }
});
