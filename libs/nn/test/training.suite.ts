import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  AdamW,
  Ema,
  ParamStore,
  Rng,
  clipByGlobalNorm,
  layerNorm,
  linear,
  mlp,
  multiHeadAttention,
  normalInit,
  onesInit,
  patchEmbed,
  torchDefaultUniformInit,
  unpatchify,
  warmupCosine,
  zerosInit,
} from '../src/index.js';
import { assertTensorClose } from './helpers.js';

/** A one-block pre-LN ViT autoencoder on 8×8 images, built only from @vqrae/nn parts. */
function buildStore(rng: Rng): ParamStore {
  const store = new ParamStore();
  const lin = (name: string, out: number, inp: number) => {
    store.add(`${name}.weight`, torchDefaultUniformInit(rng, [out, inp], inp));
    store.add(`${name}.bias`, torchDefaultUniformInit(rng, [out], inp));
  };
  store.add('embed.weight', torchDefaultUniformInit(rng, [16, 3, 2, 2], 12));
  store.add('embed.bias', zerosInit([16]));
  store.add('ln1.weight', onesInit([16]));
  store.add('ln1.bias', zerosInit([16]));
  for (const n of ['q', 'k', 'v', 'o']) lin(`attn.${n}`, 16, 16);
  store.add('ln2.weight', onesInit([16]));
  store.add('ln2.bias', zerosInit([16]));
  lin('fc1', 32, 16);
  lin('fc2', 16, 32);
  lin('pred', 12, 16);
  store.add('teacher.weight', normalInit(rng, [16, 16], 0.2), { trainable: false });
  return store;
}

function forward(store: ParamStore, images: tf.Tensor): tf.Tensor {
  const p = (name: string) => store.get(name);
  const lp = (name: string) => ({ weight: p(`${name}.weight`), bias: p(`${name}.bias`) });
  let h = patchEmbed(images, p('embed.weight'), p('embed.bias'), 2); // [B, 16, 16]
  const a = layerNorm(h, p('ln1.weight'), p('ln1.bias'), 1e-6);
  h = tf.add(h, multiHeadAttention(a, { q: lp('attn.q'), k: lp('attn.k'), v: lp('attn.v'), o: lp('attn.o') }, 4));
  h = tf.add(h, mlp(layerNorm(h, p('ln2.weight'), p('ln2.bias'), 1e-6), lp('fc1'), lp('fc2'), 'gelu'));
  h = tf.add(h, linear(h, p('teacher.weight'), undefined, { frozen: true })); // frozen path: grads reach h only
  return unpatchify(linear(h, p('pred.weight'), p('pred.bias')), 2, { h: 4, w: 4 }, 3, 'py-px-c'); // [B, 8, 8, 3]
}

describe('training loop built from @vqrae/nn', () => {
  it('trains a tiny ViT autoencoder with AdamW + clipping + EMA without leaking tensors', () => {
    const rng = new Rng(99);
    const store = buildStore(rng);
    const images = tf.tidy(() => tf.sigmoid(normalInit(rng, [4, 8, 8, 3], 1)));
    const optimizer = new AdamW({ beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01 });
    const ema = new Ema(store, 0.9);
    const schedule = warmupCosine({ base: 1e-2, final: 1e-3, warmupSteps: 2, totalSteps: 30 });
    const losses: number[] = [];
    let countAfterFirstStep = -1;
    for (let step = 0; step < 30; step++) {
      const vars = store.trainableVariables();
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(tf.sub(forward(store, images), images))) as tf.Scalar, [...vars.values()]);
      assert.ok(!(Object.keys(grads).some((k) => k.includes('teacher'))), 'frozen weights get no gradient');
      const byName: Record<string, tf.Tensor> = {};
      for (const [name, variable] of vars) byName[name] = grads[variable.name];
      const clipped = clipByGlobalNorm(byName, 1.0);
      optimizer.step(vars, clipped.grads, (name) => (name.startsWith('embed.') ? 0.1 : 1) * schedule(step));
      ema.update(store);
      losses.push(value.dataSync()[0]);
      tf.dispose([value, ...Object.values(grads), ...Object.values(clipped.grads)]);
      if (step === 0) countAfterFirstStep = tf.memory().numTensors;
      else assert.equal(tf.memory().numTensors, countAfterFirstStep, `tensor count drifted at step ${step}`);
    }
    assert.ok(losses[29] < 0.5 * losses[0], `loss did not fall: ${losses[0]} → ${losses[29]}`);
    // the EMA store runs the same forward
    const emaOut = tf.tidy(() => tf.mean(tf.square(tf.sub(forward(ema.store(), images), images))));
    assert.ok(Number.isFinite(emaOut.dataSync()[0]));
    emaOut.dispose();
    ema.dispose();
    optimizer.dispose();
    store.dispose();
    images.dispose();
  });

  it('frozen linear passes the same input gradient as the trainable one', () => {
    tf.tidy(() => {
      const rng = new Rng(4);
      const x = normalInit(rng, [3, 5, 6], 1);
      const w = normalInit(rng, [4, 6], 1);
      const b = normalInit(rng, [4], 1);
      const frozen = tf.grad((v: tf.Tensor) => tf.sum(tf.square(linear(v, w, b, { frozen: true }))))(x);
      const trainable = tf.grad((v: tf.Tensor) => tf.sum(tf.square(linear(v, w, b))))(x);
      assertTensorClose(frozen, trainable, { atol: 1e-6 }, 'dx');
      assertTensorClose(linear(x, w, b, { frozen: true }), linear(x, w, b), { atol: 0 }, 'value');
    });
  });
});
