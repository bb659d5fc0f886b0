import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  LpipsNetwork,
  createDefaultLossRegistry,
  createEncPerceptualLoss,
  disposeLossOutput,
  encPerceptualDistance,
  loadLpipsNetwork,
  lpipsDistance,
  type FeaturePyramid,
} from '../src/index.js';
import { fileURLToPath } from 'node:url';
import { expectNoLeak, maxAbsDiff, readFixture, relativeError } from './helpers/fixtures.js';

test('LPIPS architecture matches the torch reference (values 1e-4 relative, input gradient)', async () => {
  const fixture = readFixture('lpips_small.safetensors');
  const network = LpipsNetwork.fromNamedTensors(fixture, { kind: 'any-width' });
  assert.deepEqual(network.layerWidths, [8, 12, 16, 20, 24]);
  const a = fixture['input.a'] as tf.Tensor4D;
  const b = fixture['input.b'] as tf.Tensor4D;
  await expectNoLeak('lpipsDistance', () => {
    const value = lpipsDistance(network, a, b);
    const expected = fixture['expected.lpips'];
    const rel = relativeError(value, expected);
    assert.ok(rel < 1e-4, `LPIPS relative error ${rel}: ${value.dataSync()} vs ${expected.dataSync()}`);
    const grad = tf.grad((x: tf.Tensor) => tf.sum(lpipsDistance(network, x as tf.Tensor4D, b)))(a);
    const gradRel = relativeError(grad, fixture['expected.grad_a']);
    assert.ok(gradRel < 1e-3, `LPIPS input-gradient relative error ${gradRel}`);
    tf.dispose([value, grad]);
  });
  // Through the registry, on pixel01 inputs: batch mean of the same distances, term named `lpips`.
  const loss = createDefaultLossRegistry().create('lpips', { network, source: 'fixture' });
  const [a01, b01] = [tf.div(tf.add(a, 1), 2) as tf.Tensor4D, tf.div(tf.add(b, 1), 2) as tf.Tensor4D];
  const out = loss.compute({ reconstruction01: a01, target01: b01 });
  const meanExpected = tf.mean(fixture['expected.lpips']);
  assert.ok(relativeError(out.total, meanExpected) < 1e-4);
  assert.deepEqual(Object.keys(out.terms), ['lpips']);
  disposeLossOutput(out);
  tf.dispose([a01, b01, meanExpected]);
  network.dispose();
  tf.dispose(Object.values(fixture));
});

test('LPIPS loader rejects wrong topology, missing keys and negative heads in one message', () => {
  const fixture = readFixture('lpips_small.safetensors');
  assert.throws(
    () => LpipsNetwork.fromNamedTensors(fixture, { kind: 'vgg16' }),
    /invalid LPIPS weights \(vgg16\): features\.0\.weight has shape \[8,3,3,3\], expected \[64,3,3,3\]/,
  );
  const broken = { ...fixture };
  delete broken['features.28.bias'];
  const negative = tf.neg(fixture['lin2.model.1.weight']);
  broken['lin2.model.1.weight'] = negative;
  assert.throws(
    () => LpipsNetwork.fromNamedTensors(broken, { kind: 'any-width' }),
    /missing features\.28\.weight\/bias; .*lin2\.model\.1\.weight has negative entries/,
  );
  negative.dispose();
  tf.dispose(Object.values(fixture));
});

test('enc-perceptual: lin=False distance on the injected pyramid, never named LPIPS', async () => {
  // A frozen toy "encoder": patchify 2×2 then two fixed linear maps (layer 1, layer 2).
  const w1 = tf.randomNormal([12, 5], 0, 1, 'float32', 3);
  const w2 = tf.randomNormal([5, 7], 0, 1, 'float32', 4);
  const pyramid: FeaturePyramid = (x) =>
    tf.tidy(() => {
      const [batch, h, w] = x.shape;
      const patches = tf.reshape(tf.transpose(tf.reshape(x, [batch, h / 2, 2, w / 2, 2, 3]), [0, 1, 3, 2, 4, 5]), [batch, (h * w) / 4, 12]);
      const f1 = tf.tanh(tf.matMul(tf.reshape(patches, [-1, 12]), w1));
      const f2 = tf.matMul(f1, w2);
      return [tf.reshape(f1, [batch, -1, 5]) as tf.Tensor3D, tf.reshape(f2, [batch, -1, 7]) as tf.Tensor3D];
    });
  const a = tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const b = tf.randomUniform([2, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  await expectNoLeak('enc-perceptual', () => {
    const distance = encPerceptualDistance(pyramid, a, b);
    // Reference: the same formula computed directly per layer.
    const reference = tf.tidy(() => {
      const fa = pyramid(a);
      const fb = pyramid(b);
      const unit = (f: tf.Tensor) => tf.div(f, tf.add(tf.norm(f, 'euclidean', -1, true), 1e-10));
      return tf.addN(fa.map((f, l) => tf.mean(tf.sum(tf.square(tf.sub(unit(f), unit(fb[l]))), -1), 1)));
    });
    assert.ok(maxAbsDiff(distance, reference) < 1e-6);
    const loss = createEncPerceptualLoss({ pyramid, source: 'toy encoder layers 1,2' });
    const out = loss.compute({ reconstruction01: a, target01: b });
    const names = [loss.name, loss.describe(), ...Object.keys(out.terms)];
    assert.deepEqual(Object.keys(out.terms), ['enc-perceptual']);
    for (const name of names) assert.ok(!/lpips/i.test(name), `'${name}' must not mention LPIPS`);
    // The precomputed-target form (target pyramid outside the tape) gives the same value and the same gradient.
    const targetPyramid = tf.tidy(() => pyramid(tf.sub(tf.mul(b, 2), 1) as tf.Tensor4D));
    const viaTarget = loss.compute({ reconstruction01: a, target01: b, targetPyramid });
    assert.ok(Math.abs(viaTarget.total.dataSync()[0]! - out.total.dataSync()[0]!) < 1e-6);
    const gradFull = tf.grad((x: tf.Tensor) => loss.compute({ reconstruction01: x as tf.Tensor4D, target01: b }).total)(a);
    const gradSplit = tf.grad((x: tf.Tensor) => loss.compute({ reconstruction01: x as tf.Tensor4D, target01: b, targetPyramid }).total)(a);
    assert.ok(maxAbsDiff(gradFull, gradSplit) < 1e-6);
    disposeLossOutput(viaTarget);
    tf.dispose([...targetPyramid, gradFull, gradSplit]);
    disposeLossOutput(out);
    tf.dispose([distance, reference]);
  });
  tf.dispose([w1, w2, a, b]);
});

test('loadLpipsNetwork reads the converter layout from a safetensors file, with provenance', async () => {
  const path = fileURLToPath(new URL('./fixtures/lpips_small.safetensors', import.meta.url));
  const before = tf.memory().numTensors;
  const loaded = await loadLpipsNetwork(path, { kind: 'any-width' });
  assert.match(loaded.source, /lpips_small\.safetensors \(sha256 [0-9a-f]{64}\)/);
  assert.equal(loaded.metadata.format, 'vqrae-lpips-vgg16');
  const fixture = readFixture('lpips_small.safetensors');
  const value = lpipsDistance(loaded.network, fixture['input.a'] as tf.Tensor4D, fixture['input.b'] as tf.Tensor4D);
  assert.ok(relativeError(value, fixture['expected.lpips']) < 1e-4);
  tf.dispose([value, ...Object.values(fixture)]);
  loaded.network.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(loadLpipsNetwork(path), /loadLpipsNetwork\(.*\): LpipsNetwork.fromNamedTensors: invalid LPIPS weights \(vgg16\)/);
  assert.equal(tf.memory().numTensors, before);
});
