import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng } from '@vqrae/nn';
import {
  DISCRIMINATOR_LABELS,
  Discriminator,
  createAdversarialLoss,
  defaultDiscriminatorConfig,
  discriminatorLoss,
  disposeLossOutput,
  loadDinoVit,
  type DinoVitConfig,
} from '../src/index.js';
import { expectNoLeak } from './helpers/fixtures.js';

const weightsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dino_tiny.safetensors');
const TINY: DinoVitConfig = { imageSize: 32, patchSize: 8, width: 32, depth: 4, heads: 2, mlpHidden: 128, eps: 1e-6, taps: [1, 3] };

test('DINO-disc: heads on the DinoVit pyramid; D gradients reach only the heads, G gradients reach x̂', async () => {
  const { network } = await loadDinoVit(weightsPath, TINY);
  const config = { ...defaultDiscriminatorConfig(DISCRIMINATOR_LABELS.dino, network.channels), kernelSize: 3 };
  const { discriminator, initialParams } = Discriminator.init(config, new Rng(7));
  const store = new ParamStore();
  for (const [name, value] of Object.entries(initialParams)) store.add(name, value, { trainable: true }); // takes ownership
  const options = { discriminator, params: (n: string) => store.get(n), backbone: network.pyramid };
  const real = tf.randomUniform([2, 24, 24, 3], 0, 1, 'float32', 41) as tf.Tensor4D;
  const fake = tf.randomUniform([2, 24, 24, 3], 0, 1, 'float32', 42) as tf.Tensor4D;

  await expectNoLeak('DINO-disc D step', () => {
    const logitsShape = tf.tidy(() => discriminator.logits(options.params, network.pyramid(tf.sub(tf.mul(real, 2), 1)), 'eval').shape);
    assert.deepEqual(logitsShape, [2, 3 * 16]); // 3 maps × 16 tokens
    const { value, grads } = tf.variableGrads(() => discriminatorLoss(options, real, fake, new Rng(3)).total);
    assert.ok(Number.isFinite(value.dataSync()[0]));
    const byVariable = new Map([...store.trainableVariables()].map(([name, v]) => [v.name, name]));
    assert.deepEqual(Object.keys(grads).map((v) => byVariable.get(v)).sort(), store.names().sort(), 'only head variables get gradients');
    assert.ok(store.names().every((n) => n.startsWith('disc.heads.')));
    for (const [key, g] of Object.entries(grads)) assert.ok(g.dataSync().every(Number.isFinite), `finite gradient for ${key}`);
    tf.dispose([value, ...Object.values(grads)]);
  });

  const loss = createAdversarialLoss(options);
  assert.match(loss.describe(), /^adversarial\(DINO-disc\(3 heads × 32ch, k=3/);
  await expectNoLeak('DINO-disc G term', () => {
    const grad = tf.grad((x: tf.Tensor) => loss.compute({ reconstruction01: x as tf.Tensor4D, target01: real, rng: new Rng(4) }).total)(fake);
    const values = grad.dataSync();
    assert.ok(values.every(Number.isFinite) && values.some((v) => v !== 0), 'the G term backpropagates through the frozen DINO to x̂');
    grad.dispose();
    const out = loss.compute({ reconstruction01: fake, target01: real, rng: new Rng(4) });
    assert.deepEqual(Object.keys(out.terms), ['adversarial.DINO-disc.g']);
    disposeLossOutput(out);
  });
  discriminator.dispose();
  store.dispose();
  network.dispose();
  tf.dispose([real, fake]);
});
