import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { expectedWeightShapes, fidInceptionArchitecture, allConvs } from '../../src/fid/inception-architecture.js';
import { checkFidInceptionKeys, foldBatchNorm, loadFidInceptionWeights, disposeFoldedConvs } from '../../src/fid/inception-weights.js';
import { FID_FIXTURES } from './fid-fixtures.js';

test('full-width key table equals torchvision Inception3(num_classes=1008, aux_logits=False) minus fc', async () => {
  const torchvision = JSON.parse(await readFile(path.join(FID_FIXTURES, 'fid_inception_torchvision_shapes.json'), 'utf8')) as Record<string, number[]>;
  const arch = fidInceptionArchitecture(1);
  const ours = expectedWeightShapes(arch);
  const tvWithoutFc = Object.fromEntries(Object.entries(torchvision).filter(([k]) => !k.startsWith('fc.')));
  assert.deepEqual(ours, tvWithoutFc);
  assert.deepEqual(torchvision['fc.weight'], [1008, 2048]);
  assert.equal(arch.featureDim, 2048);
  assert.equal(allConvs(arch).length, 94);
  // The torchvision file itself (with fc) passes the strict check.
  checkFidInceptionKeys(arch, torchvision, 'torchvision table');
});

test('strict check lists missing, unexpected and mismatched keys in one error', () => {
  const arch = fidInceptionArchitecture(16);
  const shapes = expectedWeightShapes(arch);
  delete shapes['Mixed_6b.branch7x7dbl_3.bn.running_var'];
  shapes['Conv2d_1a_3x3.conv.weight'] = [4, 3, 3, 3];
  shapes['AuxLogits.fc.weight'] = [1000, 768];
  shapes['Mixed_5b.branch1x1.bn.num_batches_tracked'] = [];
  assert.throws(() => checkFidInceptionKeys(arch, shapes, 'x.safetensors'), (error: Error) => {
    assert.match(error.message, /'x\.safetensors'/);
    assert.match(error.message, /missing \(1\): Mixed_6b\.branch7x7dbl_3\.bn\.running_var/);
    assert.match(error.message, /unexpected \(1\): AuxLogits\.fc\.weight/);
    assert.match(error.message, /shape mismatch \(1\): Conv2d_1a_3x3\.conv\.weight: expected \[2, 3, 3, 3\], got \[4, 3, 3, 3\]/);
    return true;
  });
  assert.throws(() => fidInceptionArchitecture(7), /does not divide/);
});

test('loading a full-width network from a width/16 file fails loudly, naming the file', async () => {
  const file = path.join(FID_FIXTURES, 'fid_inception_w16_weights.safetensors');
  await assert.rejects(loadFidInceptionWeights(file, fidInceptionArchitecture(1)), (error: Error) => {
    assert.match(error.message, /fid_inception_w16_weights\.safetensors/);
    assert.match(error.message, /shape mismatch \(470\)/);
    return true;
  });
});

test('BN folding equals conv → eval BatchNorm(eps 0.001) on random data', () => {
  const [out, cin, kh, kw] = [3, 2, 3, 1];
  const rand = (n: number, lo: number, hi: number, seed: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => lo + (hi - lo) * ((Math.sin(seed * 97 + i * 13.7) + 1) / 2));
  const weight = rand(out * cin * kh * kw, -1, 1, 1); // OIHW
  const bn = { gamma: rand(out, 0.5, 1.5, 2), beta: rand(out, -0.2, 0.2, 3), mean: rand(out, -0.3, 0.3, 4), variance: rand(out, 0.2, 2, 5) };
  const { filter, bias } = foldBatchNorm(weight, { out, in: cin, kh, kw }, bn);
  const before = tf.memory().numTensors;
  const diff = tf.tidy(() => {
    const x = tf.tensor4d(rand(5 * 4 * cin, -2, 2, 6), [1, 5, 4, cin]);
    const hwio = tf.transpose(tf.tensor4d(weight, [out, cin, kh, kw]), [2, 3, 1, 0]) as tf.Tensor4D; // OIHW → HWIO
    const conv = tf.conv2d(x, hwio, 1, 'same');
    const reference = tf.add(tf.mul(tf.div(tf.sub(conv, bn.mean), tf.sqrt(tf.add(bn.variance, 0.001))), bn.gamma), bn.beta);
    const folded = tf.add(tf.conv2d(x, tf.tensor4d(filter, [kh, kw, cin, out]), 1, 'same'), bias);
    return tf.max(tf.abs(tf.sub(reference, folded))).dataSync()[0]!;
  });
  assert.ok(diff < 1e-5, `max diff ${diff}`);
  assert.equal(tf.memory().numTensors, before);
});

test('a file with extra fc and num_batches_tracked keys loads; missing file and bad header fail clearly', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fid-loader-'));
  try {
    const bad = path.join(dir, 'bad.safetensors');
    await writeFile(bad, Buffer.from([255, 255, 255, 255, 0, 0, 0, 0, 1, 2]));
    await assert.rejects(loadFidInceptionWeights(bad, fidInceptionArchitecture(16)), /header length \d+ is invalid/);
    await assert.rejects(loadFidInceptionWeights(path.join(dir, 'none.safetensors'), fidInceptionArchitecture(16)), /ENOENT/);
    const weights = await loadFidInceptionWeights(path.join(FID_FIXTURES, 'fid_inception_w16_weights.safetensors'), fidInceptionArchitecture(16));
    assert.equal(weights.size, 94);
    disposeFoldedConvs(weights);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
