import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { DINO_VIT_S8, DinoVit, dinoConfigFromMetadata, dinoVitShapes, loadDinoVit, type DinoVitConfig } from '../src/index.js';
import { expectNoLeak, readFixture, relativeError } from './helpers/fixtures.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const weightsPath = path.join(fixtures, 'dino_tiny.safetensors');

/** The tiny config of tools/fixtures/losses/make_dino_fixture.py. */
const TINY: DinoVitConfig = { imageSize: 32, patchSize: 8, width: 32, depth: 4, heads: 2, mlpHidden: 128, eps: 1e-6, taps: [1, 3] };

test('DINO_VIT_S8: spec §7.5 shapes (785 positions, 12 blocks, 150 tensors incl. the unused final norm)', () => {
  const shapes = dinoVitShapes(DINO_VIT_S8);
  assert.deepEqual(shapes.pos_embed, [1, 785, 384]);
  assert.deepEqual(shapes['patch_embed.proj.weight'], [384, 3, 8, 8]);
  assert.deepEqual(shapes['blocks.11.attn.qkv.weight'], [1152, 384]);
  assert.deepEqual(shapes['blocks.11.mlp.fc1.weight'], [1536, 384]);
  assert.equal(Object.keys(shapes).length, 6 + 12 * 12);
  const params = Object.values(shapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
  assert.equal(params, 21_670_272); // ViT-S/8 backbone (DINO reports 21M)
});

test('DinoVit matches the torch reference: RAE-ordered maps and the input gradient through the resize', async () => {
  const io = readFixture('dino_tiny_io.safetensors');
  const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
  const { network, source, metadata } = await loadDinoVit(weightsPath, TINY);
  assert.equal(Object.keys(tf.engine().registeredVariables).length, variablesBefore, 'frozen: no Variables created');
  assert.match(source, /dino_tiny\.safetensors \(sha256 [0-9a-f]{64}\)$/);
  assert.equal(metadata.format, 'vqrae-dino-vit');
  assert.deepEqual(network.channels, [32, 32, 32]);
  assert.equal(network.tokens, 16);
  assert.match(network.describe(), /^DINO ViT p8 w32 d4 h2 mlp128 @32, taps 1,3\+final, gelu_tanh \(frozen\)$/);
  const input = io.input as tf.Tensor4D; // [2, 20, 28, 3]: resized to 32×32 inside
  const probes = [0, 1, 2].map((m) => io[`probe.${m}`] as tf.Tensor);

  await expectNoLeak('DinoVit pyramid + input gradient', () => {
    const maps = network.pyramid(input);
    assert.equal(maps.length, 3);
    maps.forEach((map, m) => {
      assert.deepEqual(map.shape, [2, 16, 32]);
      const err = relativeError(map, io[`expected.map.${m}`] as tf.Tensor);
      assert.ok(err < 1e-4, `map ${m}: relative error ${err}`);
    });
    assert.notEqual(maps[0], maps[2], 'final map and last tap are distinct tensors (each owned by the caller)');
    tf.dispose(maps);
    const grad = tf.grad((x: tf.Tensor) =>
      tf.addN(network.pyramid(x as tf.Tensor4D).map((map, m) => tf.sum(tf.mul(map, probes[m] as tf.Tensor)))),
    )(input);
    const values = grad.dataSync();
    assert.ok(values.every(Number.isFinite), 'input gradient is finite');
    assert.ok(values.some((v) => v !== 0), 'input gradient is non-zero');
    const err = relativeError(grad, io['expected.input_grad'] as tf.Tensor);
    assert.ok(err < 1e-4, `input gradient: relative error ${err}`);
    grad.dispose();
  });
  network.dispose();
  assert.throws(() => network.pyramid(input), /DinoVit.pyramid: the network has been disposed/);
  tf.dispose(Object.values(io));
});

test('fromNamedTensors: strict, one error listing every problem; copies and never mutates its inputs', async () => {
  const named = readFixture('dino_tiny.safetensors');
  const keyBiasBefore = tf.tidy(() => tf.max(tf.abs(tf.slice(named['blocks.0.attn.qkv.bias'] as tf.Tensor, [32], [32]))).dataSync()[0]);
  assert.ok(keyBiasBefore > 0, 'the fixture has a non-zero key bias (as the real checkpoint)');
  const network = DinoVit.fromNamedTensors(named, TINY);
  const keyBiasAfter = tf.tidy(() => tf.max(tf.abs(tf.slice(named['blocks.0.attn.qkv.bias'] as tf.Tensor, [32], [32]))).dataSync()[0]);
  assert.equal(keyBiasAfter, keyBiasBefore, 'the key bias is zeroed in the copy, not in the caller tensor');
  tf.dispose(Object.values(named)); // the network holds its own copies
  const small = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  await expectNoLeak('pyramid after the inputs were disposed', () => {
    tf.dispose(network.pyramid(small));
  });
  small.dispose();
  network.dispose();

  const broken = readFixture('dino_tiny.safetensors');
  const renamed = broken['blocks.2.mlp.fc1.weight'] as tf.Tensor;
  delete broken['blocks.2.mlp.fc1.weight'];
  broken['blocks.2.mlp.fc_1.weight'] = renamed;
  (broken['norm.bias'] as tf.Tensor).dispose();
  delete broken['norm.bias'];
  (broken.pos_embed as tf.Tensor).dispose();
  broken.pos_embed = tf.zeros([1, 50, 32]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => DinoVit.fromNamedTensors(broken, TINY),
    (error: Error) => {
      assert.match(error.message, /^DinoVit\.fromNamedTensors: weights do not match the DINO ViT config ViT p8 w32 d4/);
      assert.match(error.message, /2 missing key\(s\): blocks\.2\.mlp\.fc1\.weight, norm\.bias/);
      assert.match(error.message, /1 unexpected key\(s\): blocks\.2\.mlp\.fc_1\.weight/);
      assert.match(error.message, /pos_embed expected \[1, 17, 32\] got \[1, 50, 32\]/);
      return true;
    },
  );
  assert.equal(tf.memory().numTensors, before, 'a failed build leaves no tensors behind');
  tf.dispose(Object.values(broken));
  assert.throws(() => DinoVit.fromNamedTensors({}, { ...TINY, heads: 3, taps: [3, 1] }), /width 32 is not divisible by heads 3; taps must be strictly increasing/);
});

test('loadDinoVit: wrong config or metadata fails naming the file and every problem; the default is ViT-S/8', async () => {
  const before = tf.memory().numTensors;
  await assert.rejects(loadDinoVit(weightsPath, { ...TINY, depth: 3, taps: [1] }), (error: Error) => {
    assert.match(error.message, /^loadDinoVit\(.*dino_tiny\.safetensors\): metadata depth=4 but config\.depth=3/);
    assert.match(error.message, /12 unexpected key\(s\): blocks\.3\.attn\.proj\.bias/);
    return true;
  });
  await assert.rejects(loadDinoVit(weightsPath, { ...TINY, heads: 4 }), /metadata heads=2 but config\.heads=4/);
  await assert.rejects(loadDinoVit(weightsPath, DINO_VIT_S8), /metadata width=32 but config\.width=384.*54 shape mismatch/);
  // Without a config the file's declared architecture is used (taps at the quarter depths of its 4 blocks).
  const loaded = await loadDinoVit(weightsPath);
  assert.deepEqual({ width: loaded.network.config.width, depth: loaded.network.config.depth, taps: loaded.network.config.taps }, { width: 32, depth: 4, taps: [0, 1, 2, 3] });
  loaded.network.dispose();
  assert.equal(tf.memory().numTensors, before);
  // No architecture in the metadata → ViT-S/8; a declared depth-12 model taps RAE's blocks 2, 5, 8, 11.
  assert.equal(dinoConfigFromMetadata({ format: 'vqrae-dino-vit' }), DINO_VIT_S8);
  const base = { heads: '12', patch_size: '8', width: '768', depth: '12', mlp_hidden: '3072', image_size: '224' };
  assert.deepEqual(dinoConfigFromMetadata(base).taps, [2, 5, 8, 11]);
});
