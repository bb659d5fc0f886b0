/**
 * MobileNetV2 intermediate features (`MobileNetV2Encoder.features`, small-cpu preset): the tap list and defaults
 * from the config alone, EVERY tap equal to the packaged Keras model (tfjs-layers) truncated at that layer,
 * `final` ≡ `encode`, depth-limited forward, and the input gradient through `encoderFeaturePyramid` with every
 * encoder parameter frozen.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ParamStore } from '@vqrae/nn';
import {
  MOBILENET_PREFIX,
  MobileNetV2Encoder,
  encoderFeaturePyramid,
  loadPackagedMobileNetV2,
  presetConfig,
  type MobileNetV2EncoderConfig,
} from '../src/index.js';
import { assertClose } from './helpers.js';

interface ModelDefinitionLike {
  modelJson: () => Promise<{ default: { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> } }>;
  weightBundles: Array<() => Promise<{ default: string }>>;
}

/** The packaged Keras model (run by tfjs-layers, independent of the adapter's code) with one output per layer. */
async function kerasModelAt(layers: readonly string[]): Promise<tfl.LayersModel> {
  const { MobileNetV2Model } = (await import('nsfwjs/models/mobilenet_v2')) as unknown as { MobileNetV2Model: ModelDefinitionLike };
  const json = (await MobileNetV2Model.modelJson()).default;
  const bytes = Buffer.from((await MobileNetV2Model.weightBundles[0]()).default, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const full = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }));
  const outputs = layers.map((name) => full.getLayer(name).output as tfl.SymbolicTensor);
  return tfl.model({ inputs: full.inputs, outputs });
}

const CONFIG = presetConfig('small-cpu').encoder as MobileNetV2EncoderConfig;

describe('MobileNetV2 feature taps (config only)', () => {
  it('small-cpu: Keras layer outputs along the path to the cut, then final; defaults block_5_add, block_12_add, cut', () => {
    const encoder = new MobileNetV2Encoder(CONFIG);
    const taps = encoder.featureTaps();
    const byName = new Map(taps.map((t) => [t.name, t]));
    assert.equal(taps.length, new Set(taps.map((t) => t.name)).size, 'tap names are unique');
    assert.deepEqual(taps[0], { name: 'Conv1_relu', tokens: 112 * 112, channels: 32 });
    assert.deepEqual(byName.get('block_2_add'), { name: 'block_2_add', tokens: 56 * 56, channels: 24 });
    assert.deepEqual(byName.get('block_5_add'), { name: 'block_5_add', tokens: 28 * 28, channels: 32 });
    assert.deepEqual(byName.get('block_12_add'), { name: 'block_12_add', tokens: 14 * 14, channels: 96 });
    assert.deepEqual(taps.slice(-2), [
      { name: 'block_13_expand_relu', tokens: 196, channels: 576 },
      { name: 'final', tokens: 196, channels: 576 },
    ]);
    assert.ok(!byName.has('block_13_depthwise_relu') && !byName.has('block_1_add'), 'nothing past the cut, adds only where residual');
    assert.deepEqual(encoder.defaultTaps('perceptual'), ['block_5_add', 'block_12_add', 'block_13_expand_relu']);
    assert.deepEqual(encoder.defaultTaps('discriminator'), ['block_5_add', 'block_12_add', 'block_13_expand_relu']);
    const zeros = tf.zeros([1, 224, 224, 3]) as tf.Tensor4D;
    assert.throws(
      () => encoder.features(new ParamStore(), zeros, ['block_14_add']),
      /MobileNetV2Encoder\.features: unknown tap 'block_14_add' \(valid: Conv1_relu, .*block_13_expand_relu, final\)/,
    );
    zeros.dispose();
  });
});

describe('MobileNetV2 feature taps (packaged weights)', () => {
  const encoder = new MobileNetV2Encoder(CONFIG);
  const store = new ParamStore();
  let images: tf.Tensor4D;
  before(async () => {
    const packaged = await loadPackagedMobileNetV2(CONFIG.source);
    encoder.addWeights(store, packaged.tensors, packaged.layers);
    tf.dispose(Object.values(packaged.tensors));
    images = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
  });
  after(() => {
    store.dispose();
    images.dispose();
  });

  it('every tap equals the Keras model truncated at that layer; shapes match featureTaps()', async () => {
    const taps = encoder.featureTaps().filter((t) => t.name !== 'final');
    const keras = await kerasModelAt(taps.map((t) => t.name));
    const before = tf.memory().numTensors;
    const ours = encoder.features(store, images, taps.map((t) => t.name));
    assert.equal(tf.memory().numTensors, before + taps.length, 'features leaves only its results');
    const reference = keras.predict(images) as tf.Tensor[];
    taps.forEach((tap, i) => {
      assert.deepEqual(ours[i].shape, [1, tap.tokens, tap.channels], `${tap.name} shape`);
      const expected = tf.reshape(reference[i], [1, tap.tokens, tap.channels]); // [1, H, W, C] → [1, H·W, C]
      assertClose(ours[i], expected, 1e-4, tap.name);
      expected.dispose();
    });
    tf.dispose([...ours, ...reference]);
    keras.dispose();
  });

  it("features(['final']) equals encode exactly; 'final' and its layer name give distinct tensors", () => {
    const before = tf.memory().numTensors;
    const encoded = encoder.encode(store, images);
    const [final, cut] = encoder.features(store, images, ['final', 'block_13_expand_relu']);
    assert.deepEqual(final.shape, [1, 196, 576]);
    assert.deepEqual(final.dataSync(), encoded.dataSync());
    assert.deepEqual(cut.dataSync(), encoded.dataSync());
    assert.notEqual(final, cut);
    tf.dispose([encoded, final, cut]);
    assert.equal(tf.memory().numTensors, before);
  });

  it('runs only as deep as the deepest tap (works without the weights of blocks 6..13)', () => {
    const shallow = store.clone();
    shallow.remove((name) => /^block_([6-9]|1[0-3])_/.test(name.slice(MOBILENET_PREFIX.length)));
    const [a] = encoder.features(shallow, images, ['block_5_add']);
    const [b] = encoder.features(store, images, ['block_5_add']);
    assert.deepEqual(a.dataSync(), b.dataSync());
    assert.throws(() => encoder.features(shallow, images, ['block_6_expand_relu']), /block_6_expand/);
    tf.dispose([a, b]);
    shallow.dispose();
  });

  it('encoderFeaturePyramid (default taps): finite non-zero input gradient with every parameter frozen, no leaks', () => {
    assert.equal(store.trainableVariables().size, 0, 'packaged weights are frozen');
    const pyramid = encoderFeaturePyramid(encoder, store, encoder.defaultTaps('discriminator'));
    const imagesPm1 = tf.tidy(() => tf.sub(tf.mul(images, 2), 1)) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const started = Date.now();
    const grad = tf.grad((x: tf.Tensor) => tf.addN(pyramid(x as tf.Tensor4D).map((m) => tf.sum(m))))(imagesPm1);
    const elapsed = Date.now() - started;
    assert.deepEqual(grad.shape, [1, 224, 224, 3]);
    const [finite, magnitude] = tf.tidy(() => [tf.all(tf.isFinite(grad)).dataSync()[0], tf.max(tf.abs(grad)).dataSync()[0]]);
    assert.ok(finite === 1 && magnitude > 0, `input gradient finite and non-zero (max |g| ${magnitude})`);
    grad.dispose();
    assert.equal(tf.memory().numTensors, before);
    imagesPm1.dispose();
    console.log(`MobileNetV2 default taps forward+input-gradient, 1 image: ${elapsed} ms on ${tf.getBackend()}`);
  });
});
