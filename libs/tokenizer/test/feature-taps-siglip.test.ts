/**
 * SigLIP intermediate features (`SiglipEncoder.features`): tap lists and defaults from the config alone, parity of
 * every block's hidden state with the PyTorch reference (tools/fixtures/tokenizer/make_feature_tap_fixtures.py),
 * `final` ≡ `encode`, depth-limited forward, and gradients to the input through `encoderFeaturePyramid` with every
 * encoder parameter frozen.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng } from '@vqrae/nn';
import { SIGLIP_ENCODER_PRESETS, SiglipEncoder, encoderFeaturePyramid, loadHfSiglip, type LoadedSiglip } from '../src/index.js';
import { FIXTURES, assertClose, disposeAll, readFixture } from './helpers.js';

const TOL = 1e-4;

describe('SigLIP feature taps (config only)', () => {
  it('tiny: layer.1, layer.2, final of [64 tokens, 64 channels]; perceptual 1, 2; discriminator 1, 2, final', () => {
    const encoder = new SiglipEncoder(SIGLIP_ENCODER_PRESETS.tiny);
    assert.deepEqual(encoder.featureTaps(), [
      { name: 'layer.1', tokens: 64, channels: 64 },
      { name: 'layer.2', tokens: 64, channels: 64 },
      { name: 'final', tokens: 64, channels: 64 },
    ]);
    assert.deepEqual(encoder.defaultTaps('perceptual'), ['layer.1', 'layer.2']);
    assert.deepEqual(encoder.defaultTaps('discriminator'), ['layer.1', 'layer.2', 'final']);
  });

  it('so400m-shaped config: 27 layers + final of [256, 1152]; perceptual 9, 18, 27; discriminator + final', () => {
    const encoder = new SiglipEncoder(SIGLIP_ENCODER_PRESETS['siglip2-so400m-patch16-256']);
    const taps = encoder.featureTaps();
    assert.equal(taps.length, 28);
    assert.deepEqual(taps[0], { name: 'layer.1', tokens: 256, channels: 1152 });
    assert.deepEqual(taps[27], { name: 'final', tokens: 256, channels: 1152 });
    assert.deepEqual(encoder.defaultTaps('perceptual'), ['layer.9', 'layer.18', 'layer.27']);
    assert.deepEqual(encoder.defaultTaps('discriminator'), ['layer.9', 'layer.18', 'layer.27', 'final']);
    const base = new SiglipEncoder(SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256']);
    assert.deepEqual(base.defaultTaps('perceptual'), ['layer.4', 'layer.8', 'layer.12']);
    const oneLayer = new SiglipEncoder({ ...SIGLIP_ENCODER_PRESETS.tiny, numLayers: 1 });
    assert.deepEqual(oneLayer.defaultTaps('perceptual'), ['layer.1']);
    assert.deepEqual(oneLayer.defaultTaps('discriminator'), ['layer.1', 'final']);
  });

  it('an unknown tap names the encoder and lists the valid taps', () => {
    const encoder = new SiglipEncoder(SIGLIP_ENCODER_PRESETS.tiny);
    const store = new ParamStore();
    const images = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    assert.throws(() => encoder.features(store, images, ['layer.3']), /SiglipEncoder\.features: unknown tap 'layer\.3' \(valid: layer\.1, layer\.2, final\)/);
    assert.throws(() => encoder.features(store, images, []), /SiglipEncoder\.features: no taps requested/);
    assert.throws(() => encoderFeaturePyramid(encoder, store, ['layer.0']), /encoderFeaturePyramid\(siglip-vit\): unknown tap 'layer\.0'/);
    images.dispose();
  });
});

describe('SigLIP feature taps (PyTorch parity fixture)', () => {
  let io: Record<string, tf.Tensor>;
  let loaded: LoadedSiglip;
  before(async () => {
    io = await readFixture('siglip-parity-taps.safetensors');
    loaded = await loadHfSiglip({ dir: path.join(FIXTURES, 'siglip-parity') });
  });
  after(() => {
    disposeAll(io);
    loaded.params.dispose();
  });

  it('hidden state after each block and post-LN equal PyTorch (any order, repeats are distinct tensors)', () => {
    const { encoder, params } = loaded;
    const images = io.images as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const taps = ['final', 'layer.1', 'layer.2', 'layer.1'];
    const maps = encoder.features(params, images, taps);
    assert.equal(tf.memory().numTensors, before + taps.length, 'features leaves only its results');
    taps.forEach((tap, i) => assertClose(maps[i], io[tap], TOL, tap));
    assert.notEqual(maps[1], maps[3]);
    tf.dispose(maps);
    assert.equal(tf.memory().numTensors, before);
  });

  it("features(['final']) equals encode exactly (parity weights and a random tiny preset tower)", () => {
    const tiny = new SiglipEncoder(SIGLIP_ENCODER_PRESETS.tiny);
    const tinyStore = new ParamStore();
    tiny.initParams(tinyStore, new Rng(7), { trainable: false });
    const tinyImages = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
    for (const [encoder, store, images] of [
      [loaded.encoder, loaded.params, io.images as tf.Tensor4D],
      [tiny, tinyStore, tinyImages],
    ] as const) {
      const before = tf.memory().numTensors;
      const [final] = encoder.features(store, images, ['final']);
      const encoded = encoder.encode(store, images);
      assert.deepEqual(final.shape, encoded.shape);
      assert.deepEqual(final.dataSync(), encoded.dataSync());
      tf.dispose([final, encoded]);
      assert.equal(tf.memory().numTensors, before);
    }
    tinyImages.dispose();
    tinyStore.dispose();
  });

  it('runs only as deep as the deepest tap (works without the deeper blocks’ weights)', () => {
    const shallow = loaded.params.clone();
    shallow.remove((name) => name.startsWith('vision_model.encoder.layers.1.') || name.startsWith('vision_model.post_layernorm.'));
    const [layer1] = loaded.encoder.features(shallow, io.images as tf.Tensor4D, ['layer.1']);
    assertClose(layer1, io['layer.1'], TOL, 'layer.1 from a one-block store');
    assert.throws(() => loaded.encoder.features(shallow, io.images as tf.Tensor4D, ['layer.2']), /layers\.1\./);
    layer1.dispose();
    shallow.dispose();
  });

  it('encoderFeaturePyramid: pm1 input, finite non-zero input gradient with every parameter frozen, no leaks', () => {
    const { encoder, params } = loaded;
    assert.equal(params.trainableVariables().size, 0, 'the parity store is frozen');
    const pyramid = encoderFeaturePyramid(encoder, params, encoder.defaultTaps('discriminator'));
    const imagesPm1 = tf.tidy(() => tf.sub(tf.mul(io.images, 2), 1)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const maps = pyramid(imagesPm1);
    assert.deepEqual(maps.map((m) => m.shape), [[3, 16, 32], [3, 16, 32], [3, 16, 32]]);
    ['layer.1', 'layer.2', 'final'].forEach((tap, i) => assertClose(maps[i], io[tap], TOL, `pyramid ${tap}`));
    tf.dispose(maps);
    const grad = tf.grad((x: tf.Tensor) => tf.addN(pyramid(x as tf.Tensor4D).map((m) => tf.sum(m))))(imagesPm1);
    assert.deepEqual(grad.shape, imagesPm1.shape);
    const [finite, magnitude] = tf.tidy(() => [tf.all(tf.isFinite(grad)).dataSync()[0], tf.max(tf.abs(grad)).dataSync()[0]]);
    assert.ok(finite === 1 && magnitude > 0, `input gradient finite and non-zero (max |g| ${magnitude})`);
    grad.dispose();
    assert.equal(tf.memory().numTensors, before);
    imagesPm1.dispose();
  });

  it('differentiable w.r.t. trainable encoder parameters (gradient of a layer.1 tap reaches block 0 and the stem)', () => {
    const trainable = loaded.params.clone();
    trainable.setTrainable('vision_model.', true);
    const vars = trainable.trainableVariables();
    const wanted = ['vision_model.embeddings.patch_embedding.weight', 'vision_model.encoder.layers.0.mlp.fc2.weight'];
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(loaded.encoder.features(trainable, io.images as tf.Tensor4D, ['layer.1'])[0])) as tf.Scalar,
      wanted.map((name) => vars.get(name) as tf.Variable),
    );
    for (const name of wanted) {
      const g = grads[(vars.get(name) as tf.Variable).name];
      assert.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0, `gradient of ${name}`);
    }
    tf.dispose([value, ...Object.values(grads)]);
    assert.equal(tf.memory().numTensors, before);
    trainable.dispose();
  });
});
