import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { FidInception } from '../../src/fid/fid-inception.js';
import { FID_INPUT_VARIANTS } from '../../src/fid/input-variants.js';
import { FID_FIXTURES, imageTensor, maxRelativeError, readParityFixture } from './fid-fixtures.js';

// Width-reduced (channels / 16) FID-Inception with the SAME topology and key names, seeded random weights and
// non-trivial BN statistics, against the PyTorch reference (tools/fixtures/eval/fid_inception_reference.py).
test('FID-Inception (width/16) pool3 features equal the PyTorch reference for every input variant (1e-4 relative)', async () => {
  const fixture = await readParityFixture(path.join(FID_FIXTURES, 'fid_inception_w16_io.safetensors'));
  const before = tf.memory().numTensors;
  const model = await FidInception.load(path.join(FID_FIXTURES, 'fid_inception_w16_weights.safetensors'), { widthDivisor: 16 });
  assert.equal(model.featureDim, 128);
  assert.equal(model.space.kind, 'named', 'a width-reduced network must never be labelled FID');
  const errors: string[] = [];
  for (const variant of FID_INPUT_VARIANTS) {
    const expected = fixture.features[variant];
    assert.ok(expected, `fixture lacks features for ${variant}`);
    for (const [i, image] of fixture.images.entries()) {
      const x = imageTensor(image);
      const features = await model.extractWith(x, 'uint8', variant);
      assert.deepEqual(features.shape, [1, 128]);
      const actual = await features.data();
      const reference = expected.data.subarray(i * expected.dim, (i + 1) * expected.dim);
      const rel = maxRelativeError(actual, reference);
      errors.push(`${variant}/image${i} (${image.height}x${image.width}): ${rel.toExponential(2)}`);
      assert.ok(rel < 1e-4, `${variant} image ${i}: max relative error ${rel}`);
      tf.dispose([x, features]);
    }
  }
  model.dispose();
  assert.equal(tf.memory().numTensors, before, 'FidInception leaked tensors');
  console.log(`parity (max |a-b| / max |b|): ${errors.join(', ')}`);
});

test('pixel01 input gives the same features as the uint8 image it came from (torch-fidelity rounds)', async () => {
  const fixture = await readParityFixture(path.join(FID_FIXTURES, 'fid_inception_w16_io.safetensors'));
  const model = await FidInception.load(path.join(FID_FIXTURES, 'fid_inception_w16_weights.safetensors'), { widthDivisor: 16 });
  const x = imageTensor(fixture.images[0]!);
  const x01 = tf.div(x, 255) as tf.Tensor4D;
  for (const variant of FID_INPUT_VARIANTS) {
    const a = await model.extractWith(x, 'uint8', variant);
    const b = await model.extractWith(x01, 'pixel01', variant);
    assert.ok(maxRelativeError(await b.data(), await a.data()) < 1e-5, variant);
    tf.dispose([a, b]);
  }
  tf.dispose([x, x01]);
  model.dispose();
});
