import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng } from '@vqrae/nn';
import {
  DISCRIMINATOR_LABELS,
  Discriminator,
  SpectralNormState,
  circularConv1d,
  createAdversarialLoss,
  defaultDiscriminatorConfig,
  discriminatorLoss,
  disposeLossOutput,
  type FeaturePyramid,
} from '../src/index.js';
import { expectNoLeak, maxAbsDiff, readFixture, relativeError } from './helpers/fixtures.js';

test('heads match the torch reference: train logits, power-iteration buffers, gradients, eval logits', async () => {
  const fixture = readFixture('disc_small.safetensors');
  const config = { ...defaultDiscriminatorConfig(DISCRIMINATOR_LABELS.dino, [6, 6]), kernelSize: 5 };
  const { discriminator, initialParams } = Discriminator.init(config, new Rng(1));
  const variables: Record<string, tf.Variable> = {};
  for (const [key, value] of Object.entries(initialParams)) {
    assert.ok(fixture[key] !== undefined, `fixture lacks ${key}`);
    variables[key] = tf.variable(fixture[key], true, key);
    value.dispose();
  }
  const initBuffers: Record<string, tf.Tensor> = {};
  for (const [key, value] of Object.entries(fixture)) if (key.startsWith('init.')) initBuffers[key.slice(5)] = value;
  const beforeLoad = tf.memory().numTensors;
  discriminator.spectral.load(initBuffers);
  assert.equal(tf.memory().numTensors, beforeLoad, 'spectral.load replaces the buffers without leaving temporaries');
  const lookup = (name: string) => variables[name] as tf.Tensor;
  const features = [fixture['features.0'], fixture['features.1']] as tf.Tensor3D[];

  await expectNoLeak('discriminator train/eval', () => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(discriminator.logits(lookup, features, 'train'), fixture['probe.weights'])) as tf.Scalar,
      Object.values(variables),
    );
    value.dispose();
    assert.equal(Object.keys(grads).length, 20);
    for (const [key, grad] of Object.entries(grads)) {
      // Biases before BNLocal have a true gradient of 0 (the per-channel shift is normalised away): mixed tolerance.
      const reference = fixture[`grad.${key}`];
      const scale = Math.max(...reference.dataSync().map(Math.abs));
      const err = maxAbsDiff(grad, reference);
      assert.ok(err < 1e-4 * scale + 1e-6, `gradient of ${key}: max error ${err} (scale ${scale})`);
    }
    tf.dispose(Object.values(grads));
    for (const [key, value] of Object.entries(discriminator.spectral.toNamedTensors())) {
      assert.ok(maxAbsDiff(value, fixture[`after.${key}`]) < 1e-5, `buffer ${key} after one power iteration`);
    }
    const evalLogits = discriminator.logits(lookup, features, 'eval');
    assert.ok(relativeError(evalLogits, fixture['expected.eval_logits']) < 1e-4);
    evalLogits.dispose();
  });
  // Train-mode logits on the initial buffers (reload, one fresh power iteration).
  discriminator.spectral.load(initBuffers);
  const trainLogits = discriminator.logits(lookup, features, 'train');
  assert.ok(relativeError(trainLogits, fixture['expected.train_logits']) < 1e-4);
  assert.deepEqual(trainLogits.shape, [2, 20]);
  trainLogits.dispose();
  discriminator.dispose();
  tf.dispose([...Object.values(variables), ...Object.values(fixture)]);
});

test('spectral norm: σ after power iterations equals the largest singular value; eval mode does not update', async () => {
  // W = diag(3, 2, 1) rotated: largest singular value 3.
  const w = tf.tensor2d([0, 3, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1], [3, 4]);
  const state = new SpectralNormState();
  state.init('w', 3, 4, new Rng(5));
  await expectNoLeak('spectral norm', () => {
    for (let i = 0; i < 30; i++) state.normalize('w', w, 'train').dispose();
    const sigma = state.sigma('w', w);
    assert.ok(Math.abs(sigma.dataSync()[0] - 3) < 1e-5, `σ = ${sigma.dataSync()[0]}`);
    const normalized = state.normalize('w', w, 'eval');
    assert.ok(Math.abs(Math.max(...normalized.dataSync()) - 1) < 1e-5);
    const before = state.toNamedTensors().w_u.dataSync().slice();
    normalized.dispose();
    state.normalize('w', w, 'eval').dispose();
    assert.deepEqual(state.toNamedTensors().w_u.dataSync(), before);
    sigma.dispose();
  });
  state.dispose();
  w.dispose();
});

test('circular conv1d (im2col) equals a direct sum over wrapped taps', async () => {
  const x = tf.randomNormal([2, 5, 3], 0, 1, 'float32', 11) as tf.Tensor3D;
  const weight = tf.randomNormal([4, 3, 3], 0, 1, 'float32', 12) as tf.Tensor3D;
  await expectNoLeak('circularConv1d', () => {
    const yTensor = circularConv1d(x, weight);
    const y = yTensor.arraySync();
    yTensor.dispose();
    const xs = x.arraySync();
    const ws = weight.arraySync();
    for (let b = 0; b < 2; b++)
      for (let l = 0; l < 5; l++)
        for (let o = 0; o < 4; o++) {
          let sum = 0;
          for (let j = 0; j < 3; j++) for (let c = 0; c < 3; c++) sum += ws[o][c][j] * xs[b][(l + j - 1 + 5) % 5][c];
          assert.ok(Math.abs(y[b][l][o] - sum) < 1e-5);
        }
  });
  tf.dispose([x, weight]);
});

/** A frozen toy backbone: 2×2 patchify → two fixed token maps; its weight is a NON-trainable variable. */
function toyBackbone(): { pyramid: FeaturePyramid; weight: tf.Variable } {
  const weight = tf.variable(tf.randomNormal([12, 8], 0, 0.5, 'float32', 21), false, 'backbone.w');
  const pyramid: FeaturePyramid = (x) =>
    tf.tidy(() => {
      const [batch, h, w] = x.shape;
      const patches = tf.reshape(tf.transpose(tf.reshape(x, [batch, h / 2, 2, w / 2, 2, 3]), [0, 1, 3, 2, 4, 5]), [-1, 12]);
      const f1 = tf.tanh(tf.matMul(patches, weight)); // [B·N, 8]
      const f2 = tf.tanh(tf.mul(f1, 2));
      return [tf.reshape(f1, [batch, -1, 8]) as tf.Tensor3D, tf.reshape(f2, [batch, -1, 8]) as tf.Tensor3D];
    });
  return { pyramid, weight };
}

test('E_T-disc on a frozen backbone: shapes, gradients reach the heads only, G term named by the backbone', async () => {
  const { pyramid, weight } = toyBackbone();
  const config = { ...defaultDiscriminatorConfig(DISCRIMINATOR_LABELS.teacherEncoder, [8, 8]), kernelSize: 3 };
  const { discriminator, initialParams } = Discriminator.init(config, new Rng(2));
  const store = new ParamStore();
  for (const [name, value] of Object.entries(initialParams)) store.add(name, value, { trainable: true }); // takes ownership
  const options = { discriminator, params: (n: string) => store.get(n), backbone: pyramid };
  const real = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 31) as tf.Tensor4D;
  const fake = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 32) as tf.Tensor4D;
  await expectNoLeak('discriminator step', () => {
    const out = discriminatorLoss(options, real, fake, new Rng(3));
    assert.deepEqual(Object.keys(out.terms).sort(), ['E_T-disc.d_accuracy', 'E_T-disc.d_fake', 'E_T-disc.d_hinge', 'E_T-disc.d_real']);
    disposeLossOutput(out);
    const logitsShape = tf.tidy(() => discriminator.logits(options.params, pyramid(real), 'eval').shape);
    assert.deepEqual(logitsShape, [2, 32]); // 2 heads × 16 tokens
    // All trainable variables in the process: only the head parameters get gradients; the backbone is frozen.
    const { value, grads } = tf.variableGrads(() => discriminatorLoss(options, real, fake, new Rng(3)).total);
    const byVariable = new Map([...store.trainableVariables()].map(([name, v]) => [v.name, name]));
    assert.deepEqual(Object.keys(grads).map((v) => byVariable.get(v)).sort(), store.names().sort());
    assert.ok(store.names().every((n) => n.startsWith('disc.heads.')));
    for (const [key, g] of Object.entries(grads)) assert.ok(Math.max(...g.dataSync().map(Math.abs)) > 0, `no gradient reached ${key}`);
    tf.dispose([value, ...Object.values(grads)]);
  });
  // The generator term backpropagates through the frozen backbone to the reconstruction, under its honest name.
  const loss = createAdversarialLoss(options);
  assert.match(loss.describe(), /^adversarial\(E_T-disc\(2 heads × 8ch, k=3/);
  await expectNoLeak('generator term', () => {
    const out = loss.compute({ reconstruction01: fake, target01: real, rng: new Rng(4) });
    assert.deepEqual(Object.keys(out.terms), ['adversarial.E_T-disc.g']);
    disposeLossOutput(out);
    const grad = tf.grad((x: tf.Tensor) => loss.compute({ reconstruction01: x as tf.Tensor4D, target01: real, rng: new Rng(4) }).total)(fake);
    assert.ok(Math.max(...grad.dataSync().map(Math.abs)) > 0);
    grad.dispose();
  });
  assert.throws(() => loss.compute({ reconstruction01: fake, target01: real }), /loss adversarial: needs inputs.rng/);
  discriminator.dispose();
  store.dispose();
  tf.dispose([real, fake, weight]);
});
