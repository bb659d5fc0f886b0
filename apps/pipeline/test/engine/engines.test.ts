import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, listImageFiles, packImages, pixelBatch, type RgbImage } from '@vqrae/data';
import { loadOnnxRuntime } from '@vqrae/onnx';
import { createVqrae, loadCheckpoint, presetConfig, saveCheckpoint, tfjsEngine } from '@vqrae/tokenizer';
import { UsageError } from '../../src/cli/errors.js';
import { openEngine } from '../../src/engine/select-engine.js';
import { runCli, tempDir } from '../cli/helpers.js';

const options = (engine: string, ep = 'cpu', threads?: number) => ({ engine, ep, threads });
const failing = async (): Promise<never> => {
  throw new Error('boom: no native binary');
};

function images(count: number, size: number, seed: number): RgbImage[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => ({ data: Uint8Array.from({ length: size * size * 3 }, () => rng.int(256)), width: size, height: size, channels: 3 as const }));
}

let work: { dir: string; cleanup: () => void };
let checkpoint: string;

before(async () => {
  work = tempDir('vqrae-engines-');
  checkpoint = path.join(work.dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 9 });
  await saveCheckpoint(model, checkpoint);
  model.dispose();
});

after(() => work.cleanup());

test('openEngine: auto falls back to tfjs with the reason; forced engines and providers never fall back silently', async () => {
  const baseline = tf.memory().numTensors;
  const fallback = await openEngine(await loadCheckpoint(checkpoint), options('auto'), { backend: 'wasm', loadOnnx: failing });
  assert.equal(fallback.record.engine, 'tfjs');
  assert.equal(fallback.record.threads, null);
  assert.equal(fallback.message, 'engine: tfjs (wasm; auto: onnxruntime-node could not be loaded (boom: no native binary))');
  await fallback.engine.dispose();

  const brokenEngine = async () => ({
    runtimeVersion: '0.0.0',
    OnnxEngine: { create: async () => Promise.reject(new Error('exportOnnx: unsupported layer')) },
  }) as unknown as Awaited<ReturnType<NonNullable<Parameters<typeof openEngine>[2]['loadOnnx']>>>;
  const fellBack = await openEngine(await loadCheckpoint(checkpoint), options('auto'), { backend: 'wasm', loadOnnx: brokenEngine });
  assert.equal(fellBack.message, 'engine: tfjs (wasm; auto: the ONNX engine could not start (exportOnnx: unsupported layer))');
  assert.equal(fellBack.engine.kind, 'tfjs');
  assert.equal((await fellBack.engine.tokenize(pixelBatch(images(1, fellBack.engine.inputSize, 1)))).length, fellBack.engine.tokensPerImage);
  await fellBack.engine.dispose();
  const forcedBroken = await loadCheckpoint(checkpoint);
  await assert.rejects(openEngine(forcedBroken, options('onnx'), { backend: 'wasm', loadOnnx: brokenEngine }), /unsupported layer/);
  forcedBroken.dispose();

  const forcedTfjs = await openEngine(await loadCheckpoint(checkpoint), options('tfjs'), { backend: 'wasm' });
  assert.equal(forcedTfjs.message, 'engine: tfjs (wasm; forced by --engine)');
  await forcedTfjs.engine.dispose();

  for (const [o, pattern] of [
    [options('onnx'), /--engine onnx: onnxruntime-node could not be loaded \(boom/],
    [options('tfjs', 'webgpu'), /--ep webgpu needs --engine onnx/],
    [options('auto', 'cuda'), /--ep cuda needs the onnx engine, but onnxruntime-node could not be loaded/],
  ] as const) {
    const model = await loadCheckpoint(checkpoint);
    await assert.rejects(openEngine(model, o, { backend: 'wasm', loadOnnx: failing }), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
    model.dispose(); // a failed open leaves the model with the caller
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('openEngine: auto picks onnx when onnxruntime-node loads (threads default = cores); its tokens equal the tfjs engine', async (t) => {
  if (!(await loadOnnxRuntime()).ok) return t.skip('onnxruntime-node does not load here');
  const baseline = tf.memory().numTensors;
  const onnx = await openEngine(await loadCheckpoint(checkpoint), options('auto'), { backend: 'wasm' });
  const reference = tfjsEngine(await loadCheckpoint(checkpoint));
  try {
    assert.equal(onnx.record.engine, 'onnx');
    assert.equal(onnx.record.threads, os.availableParallelism());
    assert.match(onnx.message, /^engine: onnx \(cpu, \d+ threads?; auto: onnxruntime-node 1\.30\.\d+ loads\)$/);
    const pixels = pixelBatch(images(3, reference.inputSize, 4));
    assert.deepEqual(await onnx.engine.tokenize(pixels), await reference.tokenize(pixels));
    const one = await openEngine(await loadCheckpoint(checkpoint), options('onnx', 'cpu', 1), { backend: 'wasm' });
    assert.equal(one.record.threads, 1);
    assert.match(one.message, /\(cpu, 1 thread; forced by --engine\)/);
    await one.engine.dispose();
  } finally {
    await onnx.engine.dispose();
    await reference.dispose();
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('export-onnx: writes a model onnxruntime-node runs with the tfjs tokens; refuses to overwrite without --force', async (t) => {
  const loaded = await loadOnnxRuntime();
  if (!loaded.ok) return t.skip('onnxruntime-node does not load here');
  const out = path.join(work.dir, 'export', 'tokenize.onnx');
  const first = await runCli(['export-onnx', '--checkpoint', checkpoint, '--graph', 'tokenize', '--out', out, '--backend', 'wasm']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /^wrote .*tokenize\.onnx \([\d.]+ MiB\)/);
  assert.match(first.stdout, /inputs: pixels float32 \[batch, 32, 32, 3\]/);
  assert.match(first.stdout, /outputs: indices int32 \[batch, 64\]/);
  assert.match(first.stdout, /metadata vqrae\.checkpoint_sha256: [0-9a-f]{64}/);

  const reference = tfjsEngine(await loadCheckpoint(checkpoint));
  const pixels = pixelBatch(images(2, 32, 5));
  const ort = loaded.runtime;
  const session = await ort.InferenceSession.create(out, { executionProviders: ['cpu'] });
  try {
    const result = await session.run({ pixels: new ort.Tensor('float32', pixels.data, [2, 32, 32, 3]) });
    assert.deepEqual(result.indices!.data, await reference.tokenize(pixels));
  } finally {
    await session.release();
    await reference.dispose();
  }

  const again = await runCli(['export-onnx', '--checkpoint', checkpoint, '--out', out, '--backend', 'wasm']);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists \(--force to overwrite\)/);
  const forced = await runCli(['export-onnx', '--checkpoint', checkpoint, '--graph', 'decode', '--out', out, '--force', '--backend', 'wasm']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /inputs: indices int32 \[batch, 64\]/);
  assert.ok(fs.existsSync(out));
});

test('info: names the engine auto would choose and one line per execution provider', async () => {
  const r = await runCli(['info', '--backend', 'wasm']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^engine \(--engine auto\): (onnx via onnxruntime-node \d+\.\d+\.\d+ \(tokenizer and FID-Inception\)|tfjs \(.+\))$/m);
  if ((await loadOnnxRuntime()).ok) {
    assert.match(r.stdout, /^ {2}cpu: loads \(onnxruntime-node /m);
    for (const ep of ['webgpu', 'cuda', 'tensorrt']) assert.match(r.stdout, new RegExp(`^  ${ep}: (loads|unavailable) \\(.+\\)$`, 'm'));
    assert.doesNotMatch(r.stdout, /onnxruntime_src|\.cc:\d+/, 'ORT source locations are trimmed from the reasons');
  }
});

test('dump-features --hf: a bare SigLIP tower runs on tfjs (auto says why; --engine onnx is a usage error)', async () => {
  const root = path.resolve(import.meta.dirname, '../../../..');
  const hf = path.join(root, 'libs/tokenizer/test/fixtures/siglip-parity');
  const files = (await listImageFiles(path.join(root, 'assets/images'))).slice(0, 2);
  await packImages(files, { pattern: path.join(work.dir, 'hf-%03d.tar'), maxSamples: 2 });
  const data = path.join(work.dir, 'hf-000.tar');
  const auto = await runCli(['dump-features', '--hf', hf, '--data', data, '--out', path.join(work.dir, 'hf-auto'), '--backend', 'wasm']);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stdout + auto.stderr, /engine: tfjs \(wasm; auto: --hf towers run on tfjs/);
  const config = JSON.parse(fs.readFileSync(path.join(work.dir, 'hf-auto', 'config.json'), 'utf8')) as { engine: { engine: string } };
  assert.equal(config.engine.engine, 'tfjs');
  const forced = await runCli(['dump-features', '--hf', hf, '--data', data, '--out', path.join(work.dir, 'hf-onnx'), '--engine', 'onnx', '--backend', 'wasm']);
  assert.equal(forced.code, 2);
  assert.match(forced.stderr, /--engine onnx: --hf towers run on tfjs/);
});
