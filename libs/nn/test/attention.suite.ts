import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, multiHeadAttention, normalInit, type AttentionParams } from '../src/index.js';
import { assertNoLeak, assertTensorClose } from './helpers.js';

/** Textbook attention with tf.matMul transposeB and built-in gradients (the reference). */
function referenceAttention(x: tf.Tensor, p: AttentionParams, heads: number): tf.Tensor {
  const [batch, tokens, width] = x.shape;
  const dh = width / heads;
  const project = (lp: AttentionParams['q']) => tf.add(tf.matMul(tf.reshape(x, [-1, width]), lp.weight, false, true), lp.bias as tf.Tensor);
  const split = (t: tf.Tensor) => tf.transpose(tf.reshape(t, [batch, tokens, heads, dh]), [0, 2, 1, 3]); // [B, h, N, dh]
  const q = split(project(p.q));
  const k = split(project(p.k));
  const v = split(project(p.v));
  const probs = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
  const o = tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [-1, width]);
  return tf.reshape(tf.add(tf.matMul(o, p.o.weight, false, true), p.o.bias as tf.Tensor), [batch, tokens, width]);
}

function randomParams(rng: Rng, width: number): AttentionParams {
  const lin = () => ({ weight: normalInit(rng, [width, width], 1 / Math.sqrt(width)), bias: normalInit(rng, [width], 0.1) });
  return { q: lin(), k: lin(), v: lin(), o: lin() };
}

function flatten(p: AttentionParams): tf.Tensor[] {
  return [p.q, p.k, p.v, p.o].flatMap((lp) => [lp.weight, lp.bias as tf.Tensor]);
}

function unflatten(ts: tf.Tensor[]): AttentionParams {
  const lp = (i: number) => ({ weight: ts[2 * i], bias: ts[2 * i + 1] });
  return { q: lp(0), k: lp(1), v: lp(2), o: lp(3) };
}

describe('multiHeadAttention', () => {
  for (const strategy of ['batched', 'unstacked'] as const) {
    it(`forward and gradients (x and all weights) equal the reference (${strategy})`, () => {
      const rng = new Rng(5);
      tf.tidy(() => {
        const x = normalInit(rng, [2, 6, 16], 1);
        const params = randomParams(rng, 16);
        const dy = normalInit(rng, [2, 6, 16], 1);
        const inputs = [x, ...flatten(params)];
        const loss = (f: (...a: tf.Tensor[]) => tf.Tensor) => (...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), dy));
        const ours = assertNoLeak('attention fwd+bwd', () =>
          tf.tidy(() => [
            multiHeadAttention(x, params, 4, { strategy }),
            ...tf.grads(loss((xx, ...w) => multiHeadAttention(xx, unflatten(w), 4, { strategy })))(inputs),
          ]),
        );
        const theirs = [referenceAttention(x, params, 4), ...tf.grads(loss((xx, ...w) => referenceAttention(xx, unflatten(w), 4)))(inputs)];
        assert.equal(ours.length, 10);
        ours.forEach((t, i) => assertTensorClose(t, theirs[i], { atol: 2e-5, rtol: 1e-4 }, `${strategy} output ${i}`));
      });
    });
  }

  it('rejects a width not divisible by the head count', () => {
    tf.tidy(() => {
      const params = randomParams(new Rng(1), 6);
      assert.throws(() => multiHeadAttention(tf.zeros([1, 2, 6]), params, 4), /not divisible by numHeads=4/);
    });
  });
});
