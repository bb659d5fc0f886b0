import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createEncPerceptualLoss } from '@vqrae/losses';
import { createVqrae, encoderFeaturePyramid, presetConfig } from '@vqrae/tokenizer';
import { tokenizerParts } from '../src/model-factory.js';
import { stage1Objective, type PerceptualSetup } from '../src/objectives.js';

test('enc-perceptual: Z_I and the target taps from one encoder pass give the same loss as two passes', async () => {
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  model.setStage('stage1');
  const parts = tokenizerParts(model);
  const taps = model.encoder.defaultTaps('perceptual');
  const pyramid = encoderFeaturePyramid(model.encoder, model.params, taps);
  const loss = createEncPerceptualLoss({ pyramid, source: 'tiny frozen encoder' });
  const twoPass: PerceptualSetup = { loss, weight: 0.1, targetPyramid: pyramid };
  const onePass: PerceptualSetup = { ...twoPass, encoderTaps: taps };
  const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const base = tf.memory().numTensors;
  const terms = (perceptual: PerceptualSetup): Record<string, number> => {
    const objective = stage1Objective(parts, model.params, { pixel: { kind: 'l2', weight: 1 }, vq: 1, perceptual });
    const prepared = objective.prepare!(images, 0, 0);
    const out = tf.tidy(() => {
      const o = objective.forward(images, prepared, 0, 0);
      return Object.fromEntries(Object.entries(o.terms).map(([k, v]) => [k, v.dataSync()[0]!]));
    });
    tf.dispose(Object.values(prepared));
    return out;
  };
  const a = terms(twoPass);
  const b = terms(onePass);
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  for (const key of Object.keys(a)) assert.ok(Math.abs(a[key]! - b[key]!) <= 1e-6 * Math.max(1, Math.abs(a[key]!)), `${key}: ${a[key]} vs ${b[key]}`);
  assert.ok(a['enc-perceptual']! > 0);
  assert.equal(tf.memory().numTensors, base);
  images.dispose();
  model.dispose();
});
