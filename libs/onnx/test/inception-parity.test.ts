import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FID_INPUT_VARIANTS, FidInception } from '@vqrae/eval';
import { SafetensorsFile } from '@vqrae/nn';
import { inceptionFeatureExtractor } from '../src/inception/inception-feature-extractor.js';
import { inceptionFeatureSession } from '../src/inception/inception-session.js';
import { relativeError } from './helpers.js';

// The seeded width/16 FID-Inception of libs/eval's tests (real key names and topology, non-trivial BN statistics)
// and its PyTorch reference features (tools/fixtures/eval/fid_inception_reference.py).
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../eval/test/fixtures/fid');
const WEIGHTS = path.join(FIXTURES, 'fid_inception_w16_weights.safetensors');

interface Fixture {
  readonly images: { data: Uint8Array; height: number; width: number }[];
  readonly features: Record<string, Float32Array>;
}

async function readFixture(): Promise<Fixture> {
  const file = await SafetensorsFile.open(path.join(FIXTURES, 'fid_inception_w16_io.safetensors'));
  try {
    const images = [];
    for (const key of file.keys('image.')) {
      const [height, width] = file.info(key).shape as [number, number, number];
      images.push({ data: new Uint8Array(await file.readBytes(key)), height, width });
    }
    const features: Record<string, Float32Array> = {};
    for (const key of file.keys('features.')) features[key.slice('features.'.length)] = await file.readFloat32(key);
    return { images, features };
  } finally {
    await file.close();
  }
}

test('ONNX FID-Inception (width/16) equals the tfjs network and the PyTorch reference for every input variant (1e-4 relative)', async () => {
  const fixture = await readFixture();
  const before = tf.memory().numTensors;
  const tfjsModel = await FidInception.load(WEIGHTS, { widthDivisor: 16 });
  const report: string[] = [];
  try {
    for (const variant of FID_INPUT_VARIANTS) {
      const session = await inceptionFeatureSession(WEIGHTS, variant, { threads: 1 });
      try {
        assert.equal(session.featureDim, 128);
        assert.deepEqual(session.space, { kind: 'named', name: 'fid-inception-width-1of16', description: 'width-reduced test network' });
        for (const [i, image] of fixture.images.entries()) {
          const onnx = await session({ data: image.data, batch: 1, height: image.height, width: image.width, range: 'uint8' });
          assert.equal(onnx.length, 128);
          const x = tf.tensor4d(Int32Array.from(image.data), [1, image.height, image.width, 3], 'int32');
          const tfjsFeatures = await tfjsModel.extractWith(x, 'uint8', variant);
          const reference = await tfjsFeatures.data();
          tf.dispose([x, tfjsFeatures]);
          const torch = fixture.features[variant]!.subarray(i * 128, (i + 1) * 128);
          const vsTfjs = relativeError(onnx, reference);
          const vsTorch = relativeError(onnx, torch);
          report.push(`${variant}/${image.height}x${image.width}: tfjs ${vsTfjs.toExponential(1)}, torch ${vsTorch.toExponential(1)}`);
          assert.ok(vsTfjs < 1e-4, `${variant} image ${i}: vs tfjs ${vsTfjs}`);
          assert.ok(vsTorch < 1e-4, `${variant} image ${i}: vs PyTorch ${vsTorch}`);
        }
      } finally {
        await session.dispose();
      }
    }
  } finally {
    tfjsModel.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'the tfjs side leaked tensors');
  console.log(`ONNX FID-Inception parity (max |a-b| / max |b|): ${report.join('; ')}`);
});

test('ONNX FID-Inception: pixel01 input and batches give the same features as uint8 images one by one', async () => {
  const fixture = await readFixture();
  const image = fixture.images[0]!;
  const pixels = image.data.length;
  const batchU8 = new Uint8Array(2 * pixels);
  batchU8.set(image.data, 0);
  for (let i = 0; i < pixels; i++) batchU8[pixels + i] = 255 - image.data[i]!; // a second, different image
  const batch01 = Float32Array.from(batchU8, (v) => v / 255);
  for (const variant of FID_INPUT_VARIANTS) {
    const session = await inceptionFeatureSession(WEIGHTS, variant, { threads: 1 });
    try {
      const geometry = { height: image.height, width: image.width };
      const fromU8 = await session({ data: batchU8, batch: 2, ...geometry, range: 'uint8' });
      const from01 = await session({ data: batch01, batch: 2, ...geometry, range: 'pixel01' });
      const second = await session({ data: batchU8.subarray(pixels), batch: 1, ...geometry, range: 'uint8' });
      assert.equal(fromU8.length, 256);
      assert.ok(relativeError(from01, fromU8) < 1e-5, `${variant}: pixel01 vs uint8`);
      assert.ok(relativeError(fromU8.subarray(128), second) < 1e-5, `${variant}: batch of 2 vs alone`);
      assert.ok(relativeError(fromU8.subarray(0, 128), fromU8.subarray(128)) > 1e-3, `${variant}: the two images must differ`);
    } finally {
      await session.dispose();
    }
  }
});

test('ONNX FID-Inception: bad input and a disposed session fail with a message naming the session', async () => {
  const session = await inceptionFeatureSession(WEIGHTS, 'torch-fidelity', { threads: 1 });
  await assert.rejects(session({ data: new Uint8Array(10), batch: 1, height: 4, width: 4, range: 'uint8' }), /inceptionFeatureSession\(torch-fidelity, onnx\(cpu, 1 thread\)\): image data has 10 values, expected 1×4×4×3 = 48/);
  await session.dispose();
  await session.dispose(); // idempotent
  await assert.rejects(session({ data: new Uint8Array(48), batch: 1, height: 4, width: 4, range: 'uint8' }), /was disposed/);
  await assert.rejects(inceptionFeatureSession(path.join(FIXTURES, 'fid_inception_w16_io.safetensors'), 'clean'), /not a converted FID-Inception file/);
});

test('inceptionFeatureExtractor: tensor in, tensor out, same features as the tfjs FidInception, no leaked tensors', async () => {
  const fixture = await readFixture();
  const image = fixture.images[1]!;
  const before = tf.memory().numTensors;
  const tfjsModel = await FidInception.load(WEIGHTS, { widthDivisor: 16, variant: 'clean' });
  const extractor = inceptionFeatureExtractor(await inceptionFeatureSession(WEIGHTS, 'clean', { threads: 1 }));
  assert.deepEqual(extractor.space, tfjsModel.space);
  assert.equal(extractor.featureDim, 128);
  const x = tf.tensor4d(Int32Array.from(image.data), [1, image.height, image.width, 3], 'int32');
  const [ours, theirs] = [await extractor.extract(x, 'uint8'), await tfjsModel.extract(x, 'uint8')];
  assert.deepEqual(ours.shape, [1, 128]);
  assert.ok(relativeError(await ours.data(), await theirs.data()) < 1e-4);
  tf.dispose([x, ours, theirs]);
  extractor.dispose();
  tfjsModel.dispose();
  assert.equal(tf.memory().numTensors, before);
});
