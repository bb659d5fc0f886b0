import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, imagesToTensor, pixelBatch, toUint8Pixels, type RgbImage } from '@vqrae/data';
import { Graph, collectSink, fromIterable, type SampleMeta, type Stage } from '@vqrae/graph';
import {
  createVqrae,
  decodeTokensStage,
  featuresStage,
  meanOverTokens,
  presetConfig,
  reconstructStage,
  tfjsEngine,
  tokenizeStage,
} from '../../src/index.js';

/** Seeded uint8 images `[S, S, 3]`. */
function images(count: number, size: number, seed: number): RgbImage[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => ({ data: Uint8Array.from({ length: size * size * 3 }, () => rng.int(256)), width: size, height: size, channels: 3 as const }));
}

const metas = (count: number): SampleMeta[] => Array.from({ length: count }, (_, i) => ({ key: `k${i}`, shard: 's.tar', index: i }));

test('tfjsEngine: tokenize/reconstruct/features/decode equal the VqraeModel tensor path exactly; no tensor leaks; bad input named', async () => {
  const model = await createVqrae(presetConfig('tiny'), { seed: 5 });
  const engine = tfjsEngine(model);
  const batch = images(3, model.inputSize, 1);
  const pixels = pixelBatch(batch);
  const input = imagesToTensor(batch, 'pixel01'); // [3, S, S, 3]
  const wantIndices = tf.tidy(() => model.tokenize(input));
  const wantPixels = tf.tidy(() => model.reconstruct(input));
  const wantFeatures = tf.tidy(() => model.features(input));
  const expected = { indices: await wantIndices.data(), pixels: await wantPixels.data(), features: await wantFeatures.data() };
  tf.dispose([input, wantIndices, wantPixels, wantFeatures]);
  const before = tf.memory().numTensors; // after the model's first inference (it caches the projected codebook)

  assert.equal(engine.kind, 'tfjs');
  assert.match(engine.label, /^tfjs\((wasm|cpu)\)$/);
  assert.equal(engine.tokensPerImage, model.tokensPerImage);
  const indices = await engine.tokenize(pixels);
  assert.ok(indices instanceof Int32Array);
  assert.deepEqual(indices, expected.indices);
  const recon = await engine.reconstruct(pixels);
  assert.deepEqual(recon.indices, expected.indices);
  assert.deepEqual(recon.pixels, expected.pixels);
  assert.equal(recon.pixels.length, 3 * engine.outputSize * engine.outputSize * 3);
  assert.deepEqual(await engine.features(pixels), expected.features);
  assert.deepEqual(await engine.decode(indices, 3), expected.pixels);
  assert.equal(tf.memory().numTensors, before, 'every call frees its tensors');

  await assert.rejects(engine.tokenize(pixelBatch(images(1, model.inputSize + 2, 2))), /tfjs\(\w+\)\.tokenize: images are 34×34, the encoder takes 32×32/);
  await assert.rejects(engine.decode(new Int32Array(5), 1), new RegExp(`decode: expected 1 × ${engine.tokensPerImage} code indices, got 5`));
  assert.equal(tf.memory().numTensors, before);
  await engine.dispose();
  await engine.dispose(); // idempotent
  await assert.rejects(engine.tokenize(pixels), /disposed/);
});

test('model stages: records pass through extended with host outputs; names overridable; decodeTokens names a bad row', async () => {
  const model = await createVqrae(presetConfig('tiny'), { seed: 6 });
  const engine = tfjsEngine(model, 'tiny-engine');
  const batch = images(2, model.inputSize, 3);
  const record = { metas: metas(2), images: batch, extra: 'kept' };
  const n = engine.tokensPerImage;
  const run = async <T, I = unknown>(stage: Stage<I, unknown>, items: I[]): Promise<T[]> => {
    const sink = collectSink<T>('out');
    const summary = await Graph.from(fromIterable('in', items)).pipe(stage as Stage<I, T>).to(sink).run();
    return summary.sinks[0]!.result as T[];
  };
  const direct = await engine.reconstruct(pixelBatch(batch));
  const before = tf.memory().numTensors;

  const [tokenized] = await run<typeof record & { indices: Int32Array; tokensPerImage: number }>(tokenizeStage(engine, { name: 'tokenize-a' }), [record]);
  assert.equal(tokenized!.extra, 'kept');
  assert.deepEqual(tokenized!.indices, direct.indices);
  assert.equal(tokenized!.tokensPerImage, n);

  const [reconstructed] = await run<{ decoded: Uint8Array[]; outputSize: number; indices: Int32Array }>(reconstructStage(engine), [record]);
  assert.deepEqual(reconstructed!.indices, direct.indices);
  assert.equal(reconstructed!.decoded.length, 2);
  assert.deepEqual(Uint8Array.from([...reconstructed!.decoded[0]!, ...reconstructed!.decoded[1]!]), toUint8Pixels(direct.pixels));

  const z = await engine.features(pixelBatch(batch));
  const [pooled] = await run<{ features: Float32Array[]; featureTokens: number }>(featuresStage(engine, { pool: 'mean' }), [record]);
  assert.equal(pooled!.featureTokens, 1);
  assert.deepEqual(Float32Array.from([...pooled!.features[0]!, ...pooled!.features[1]!]), meanOverTokens(z, 2, n, engine.featureWidth));
  const zt = tf.tensor3d(z, [2, n, engine.featureWidth]);
  const tfMean = tf.mean(zt, 1);
  const tfValues = await tfMean.data();
  tf.dispose([zt, tfMean]);
  const exact = tf.getBackend() === 'wasm'; // float32 sums in token order, as tfjs-wasm's mean
  pooled!.features.flatMap((f) => [...f]).forEach((v, i) => assert.ok(exact ? v === tfValues[i] : Math.abs(v - tfValues[i]!) < 1e-6, `mean ${i}`));

  const rows = { keys: ['a', 'b'], tokens: [direct.indices.subarray(0, n), direct.indices.subarray(n, 2 * n)] };
  const [decoded] = await run<{ decoded: Uint8Array[] }>(decodeTokensStage(engine, { name: 'decode' }), [rows]);
  assert.deepEqual(decoded!.decoded, reconstructed!.decoded);
  await assert.rejects(run(decodeTokensStage(engine), [{ keys: ['a', 'bad'], tokens: [new Array(n).fill(0), [...new Array(n - 1).fill(0), 512]] }]), /row 'bad' has token 512 outside \[0, 512\)/);
  assert.match(tokenizeStage(engine, { name: 'tokenize-b', label: 'x' }).describe(), /^tokenize-b\(x\)$/);
  assert.equal(tf.memory().numTensors, before);
  await engine.dispose();
});
