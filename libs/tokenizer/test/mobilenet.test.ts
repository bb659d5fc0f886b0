/**
 * The embedded MobileNetV2 adapter: equals the packaged Keras model (run by tfjs-layers) at block_13_expand_relu,
 * custom 3×3 conv gradients equal the CPU backend's native gradients, and a small-cpu checkpoint references (not
 * embeds) the packaged weights. The full stage-2 backward is in mobilenet-finetune.long.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng, SafetensorsFile, normalInit } from '@vqrae/nn';
import {
  MOBILENETV2_NSFWJS_SOURCE,
  MOBILENET_PREFIX,
  conv3x3,
  createVqrae,
  depthwiseConv3x3,
  loadCheckpoint,
  presetConfig,
  saveCheckpoint,
  type VqraeModel,
} from '../src/index.js';
import { assertClose } from './helpers.js';

interface ModelDefinitionLike {
  modelJson: () => Promise<{ default: { modelTopology: object; weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }> } }>;
  weightBundles: Array<() => Promise<{ default: string }>>;
}

async function kerasFeatureModel(): Promise<tfl.LayersModel> {
  const { MobileNetV2Model } = (await import('nsfwjs/models/mobilenet_v2')) as unknown as { MobileNetV2Model: ModelDefinitionLike };
  const json = (await MobileNetV2Model.modelJson()).default;
  const bytes = Buffer.from((await MobileNetV2Model.weightBundles[0]()).default, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const full = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }));
  return tfl.model({ inputs: full.inputs, outputs: full.getLayer('block_13_expand_relu').output as tfl.SymbolicTensor });
}

describe('mobilenetv2-imagenet-stride16 adapter', () => {
  let model: VqraeModel;
  let dir: string;
  before(async () => {
    model = await createVqrae(presetConfig('small-cpu'), { seed: 1 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-mnv2-'));
  });
  after(async () => {
    model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('features equal the packaged Keras model at block_13_expand_relu ([B, 14, 14, 576])', async () => {
    const keras = await kerasFeatureModel();
    const images = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const ours = model.features(images);
    assert.equal(tf.memory().numTensors, before + 1, 'encode leaves only its result');
    const reference = tf.tidy(() => tf.reshape(keras.predict(images) as tf.Tensor, [1, 196, 576]));
    assertClose(ours, reference, 1e-4, 'MobileNetV2 features');
    tf.dispose([images, ours, reference]);
    keras.dispose();
  });

  for (const stride of [1, 2] as const) {
    it(`custom 3×3 conv gradients equal native CPU gradients (stride ${stride})`, async () => {
      const rng = new Rng(10 + stride);
      const x = normalInit(rng.fork('x'), [2, 8, 8, 4], 1) as tf.Tensor4D;
      const dw = normalInit(rng.fork('dw'), [3, 3, 4, 1], 0.5);
      const full = normalInit(rng.fork('k'), [3, 3, 4, 5], 0.5);
      const pad: Array<[number, number]> = stride === 1 ? [[0, 0], [1, 1], [1, 1], [0, 0]] : [[0, 0], [0, 1], [0, 1], [0, 0]];
      const weightsD = normalInit(rng.fork('r1'), [2, 8 / stride, 8 / stride, 4], 1);
      const weightsF = normalInit(rng.fork('r2'), [2, 8 / stride, 8 / stride, 5], 1);
      const ours = tf.grads((a: tf.Tensor, k: tf.Tensor, kf: tf.Tensor) =>
        tf.add(tf.sum(tf.mul(depthwiseConv3x3(a as tf.Tensor4D, k, stride), weightsD)), tf.sum(tf.mul(conv3x3(a as tf.Tensor4D, kf, stride), weightsF))),
      )([x, dw, full]);
      const values = [x, dw, full, weightsD, weightsF].map((t) => ({ data: t.dataSync().slice(), shape: t.shape }));
      const original = tf.getBackend();
      await tf.setBackend('cpu');
      const [cx, cdw, cfull, cwd, cwf] = values.map((v) => tf.tensor(v.data, v.shape));
      const native = tf.grads((a: tf.Tensor, k: tf.Tensor, kf: tf.Tensor) =>
        tf.add(
          tf.sum(tf.mul(tf.depthwiseConv2d(tf.pad(a, pad) as tf.Tensor4D, k as tf.Tensor4D, stride, 'valid'), cwd)),
          tf.sum(tf.mul(tf.conv2d(tf.pad(a, pad) as tf.Tensor4D, kf as tf.Tensor4D, stride, 'valid'), cwf)),
        ),
      )([cx, cdw, cfull]).map((g) => ({ data: g.dataSync().slice(), shape: g.shape }));
      await tf.setBackend(original);
      native.forEach((g, i) => {
        const expected = tf.tensor(g.data, g.shape);
        assertClose(ours[i], expected, 1e-5, ['dx', 'd depthwise kernel', 'd conv kernel'][i]);
        expected.dispose();
      });
      tf.dispose([x, dw, full, weightsD, weightsF, ...ours]);
    });
  }

  it('checkpoint references the packaged weights (frozen encoder) and reloads identically', async () => {
    const file = path.join(dir, 'small.safetensors');
    await saveCheckpoint(model, file);
    const st = await SafetensorsFile.open(file);
    assert.equal(st.keys(MOBILENET_PREFIX).length, 0);
    assert.equal(st.metadata['vqrae.encoder_weights'], 'package');
    assert.equal(JSON.parse(st.metadata['vqrae.config']).encoder.source.sha256, MOBILENETV2_NSFWJS_SOURCE.sha256);
    await st.close();
    const loaded = await loadCheckpoint(file);
    tf.tidy(() => {
      const images = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      assert.deepEqual(Array.from(loaded.tokenize(images).dataSync()), Array.from(model.tokenize(images).dataSync()));
    });
    loaded.dispose();
  });
  it('stage 2: kernels and BN affine train, BN moving statistics never do; checkpoints then embed the encoder', async () => {
    model.setStage('stage2');
    const names = [...model.trainableVariables().keys()].filter((n) => n.startsWith(MOBILENET_PREFIX));
    assert.ok(names.includes(`${MOBILENET_PREFIX}Conv1.kernel`) && names.includes(`${MOBILENET_PREFIX}block_12_depthwise.depthwise_kernel`));
    assert.ok(names.includes(`${MOBILENET_PREFIX}bn_Conv1.gamma`));
    assert.ok(!names.some((n) => n.endsWith('moving_mean') || n.endsWith('moving_variance')));
    model.setStage('stage1');
    assert.ok(![...model.trainableVariables().keys()].some((n) => n.startsWith(MOBILENET_PREFIX)));
    assert.ok(model.encoderModified, 'a once-trainable encoder counts as modified');
    const embedded = path.join(dir, 'small-finetuned.safetensors');
    await saveCheckpoint(model, embedded);
    const st = await SafetensorsFile.open(embedded);
    assert.equal(st.metadata['vqrae.encoder_weights'], 'embedded');
    assert.equal(st.keys(MOBILENET_PREFIX).length, Object.keys(model.encoder.paramShapes()).length);
    await st.close();
  });

});
