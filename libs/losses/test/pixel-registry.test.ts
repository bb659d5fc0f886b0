import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import {
  LOSS_NAMES,
  LossRegistry,
  composeLosses,
  composedLossValues,
  createDefaultLossRegistry,
  createL2Loss,
  disposeComposedLoss,
  disposeLossOutput,
  l1PixelLoss,
  l2PixelLoss,
} from '../src/index.js';
import { expectNoLeak } from './helpers/fixtures.js';

const pred = () => tf.tensor4d([0, 0.5, 1, 0.25, 0.75, 1, 0, 0, 0, 1, 1, 1], [1, 2, 2, 3]);
const target = () => tf.tensor4d([0, 0, 1, 0.5, 0.5, 0, 0, 1, 0, 1, 0.5, 1], [1, 2, 2, 3]);

test('l2 and l1 on pixel01 equal the hand-computed means and own distinct tensors', async () => {
  const [a, b] = [pred(), target()];
  await expectNoLeak('pixel losses', () => {
    const l2 = l2PixelLoss(a, b);
    const l1 = l1PixelLoss(a, b);
    // differences: 0, .5, 0, -.25, .25, 1, 0, -1, 0, 0, .5, 0
    assert.ok(Math.abs(l2.total.dataSync()[0] - (0.25 + 0.0625 + 0.0625 + 1 + 1 + 0.25) / 12) < 1e-7);
    assert.ok(Math.abs(l1.total.dataSync()[0] - (0.5 + 0.25 + 0.25 + 1 + 1 + 0.5) / 12) < 1e-7);
    assert.deepEqual(Object.keys(l2.terms), ['l2']);
    assert.deepEqual(Object.keys(l1.terms), ['l1']);
    assert.notEqual(l2.total, l2.terms.l2);
    disposeLossOutput(l2);
    disposeLossOutput(l1);
  });
  assert.throws(() => l2PixelLoss(a, tf.zeros([1, 2, 3, 3]) as tf.Tensor4D), /loss l2: reconstruction \[1,2,2,3\] and target \[1,2,3,3\]/);
  tf.dispose([a, b]);
});

test('registry: every built-in name is registered once, duplicates and unknown names throw', () => {
  const registry = createDefaultLossRegistry();
  assert.deepEqual([...registry.names()].sort(), Object.values(LOSS_NAMES).sort());
  assert.throws(() => registry.register(LOSS_NAMES.l2, createL2Loss), /loss 'l2' is already registered/);
  const empty = new LossRegistry();
  assert.throws(() => empty.create(LOSS_NAMES.l1, {}), /unknown loss 'l1'/);
  const loss = registry.create(LOSS_NAMES.l1, {});
  assert.equal(loss.name, 'l1');
  assert.match(loss.describe(), /^l1/);
});

test('composeLosses: weighted total, every term weighted and unweighted, strict key match', async () => {
  const [a, b] = [pred(), target()];
  const registry = createDefaultLossRegistry();
  const l2 = registry.create('l2', {});
  const vq = registry.create('vq', {});
  const commitment = tf.scalar(0.4);
  const codebook = tf.scalar(0.3);
  await expectNoLeak('composeLosses', () => {
    const outputs = {
      l2: l2.compute({ reconstruction01: a, target01: b }),
      vq: vq.compute({ reconstruction01: a, target01: b, quantizerTerms: { commitment, codebook } }),
    };
    const composed = composeLosses(outputs, { l2: 2, vq: 0.5 });
    const row = composedLossValues(composed);
    const l2Value = (0.25 + 0.0625 + 0.0625 + 1 + 1 + 0.25) / 12;
    const vqValue = 0.25 * 0.4 + 0.3;
    assert.ok(Math.abs(row.total - (2 * l2Value + 0.5 * vqValue)) < 1e-6);
    assert.ok(Math.abs(row['vq.commitment'] - 0.4) < 1e-7);
    assert.ok(Math.abs(row['vq.commitment:weighted'] - 0.2) < 1e-7);
    assert.ok(Math.abs(row['l2:weighted'] - 2 * l2Value) < 1e-6);
    assert.deepEqual(Object.keys(composed.unweighted).sort(), ['l2', 'vq.codebook', 'vq.commitment']);
    assert.throws(() => composeLosses(outputs, { l2: 1 }), /losses \[l2,vq\] do not match the weights \[l2\]/);
    disposeComposedLoss(composed);
    Object.values(outputs).forEach(disposeLossOutput);
  });
  tf.dispose([a, b, commitment, codebook]);
});
