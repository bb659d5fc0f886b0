/**
 * Opt-in (VQRAE_LONG_TESTS=1): a full stage-2 backward of the small-cpu preset (MobileNetV2 encoder trainable) runs
 * on the test backend — on wasm, which has no conv filter-gradient kernels, this exercises the custom 3×3 conv
 * gradients end to end — and the gradient reaches the first conv kernel. No tensor leaks.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { MOBILENET_PREFIX, createVqrae, presetConfig } from '../src/index.js';

it('small-cpu stage 2: backward through the MobileNetV2 encoder', async () => {
  const model = await createVqrae(presetConfig('small-cpu'), { seed: 2 });
  model.setStage('stage2');
  const vars = model.trainableVariables();
  const conv1 = vars.get(`${MOBILENET_PREFIX}Conv1.kernel`) as tf.Variable;
  const before = tf.memory().numTensors;
  const started = Date.now();
  tf.tidy(() => {
    const images = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const { grads } = tf.variableGrads(() => {
      const out = model.forward(images);
      return tf.add(out.quantization.losses.total, tf.mean(tf.square(tf.sub(out.reconstruction, images)))) as tf.Scalar;
    }, [...vars.values()]);
    const g = grads[conv1.name];
    assert.ok(tf.all(tf.isFinite(g)).dataSync()[0] && tf.max(tf.abs(g)).dataSync()[0] > 0, 'Conv1 kernel gradient');
  });
  console.log(`small-cpu stage-2 forward+backward, 1 image: ${Date.now() - started} ms on ${tf.getBackend()}`);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});
