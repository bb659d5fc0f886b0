import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@vqrae/nn';
import {
  adaptiveGanWeight,
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adversarialSchedule,
  diffAugment,
  disposeLossOutput,
  generatorAdversarialValue,
  hingeDiscriminatorLoss,
  quantizeFakesPm1,
  toDinoInput,
  translate,
} from '../src/index.js';
import { expectNoLeak, maxAbsDiff } from './helpers/fixtures.js';

test('hinge D loss and −mean G loss equal hand-computed values', async () => {
  const real = tf.tensor2d([[2, 0.5, -1, 0]]);
  const fake = tf.tensor2d([[-2, 0.5, 1, -0.5]]);
  await expectNoLeak('gan losses', () => {
    const d = hingeDiscriminatorLoss('E_T-disc', real, fake);
    // relu(1 − real) = 0, .5, 2, 1 → mean .875; relu(1 + fake) = 0, 1.5, 2, .5 → mean 1
    assert.ok(Math.abs(d.terms['E_T-disc.d_real'].dataSync()[0] - 0.875) < 1e-7);
    assert.ok(Math.abs(d.terms['E_T-disc.d_fake'].dataSync()[0] - 1) < 1e-7);
    assert.ok(Math.abs(d.total.dataSync()[0] - 0.9375) < 1e-7);
    assert.ok(Math.abs(d.terms['E_T-disc.d_accuracy'].dataSync()[0] - 0.5) < 1e-7); // 2 > −2, 0 > −.5
    disposeLossOutput(d);
    const g = generatorAdversarialValue(fake);
    assert.ok(Math.abs(g.dataSync()[0] - 0.25) < 1e-7);
    g.dispose();
    const input = tf.tensor4d([-1.5, -1, 0, 0.0041, 1, 2], [1, 1, 2, 3]);
    const q = quantizeFakesPm1(input);
    input.dispose();
    const expected = [-1, -1, Math.round(127.5) / 127.5 - 1, Math.round(1.0041 * 127.5) / 127.5 - 1, 1, 1];
    q.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `quantized ${i}: ${v}`));
    q.dispose();
  });
  tf.dispose([real, fake]);
});

test('DiffAug: deterministic per seed, shape kept, r = 0.5 colour ops and zero shifts are identities', async () => {
  const x = tf.randomUniform([3, 8, 8, 3], -1, 1, 'float32', 41) as tf.Tensor4D;
  await expectNoLeak('diffAugment', () => {
    const a = diffAugment(x, new Rng(9));
    const b = diffAugment(x, new Rng(9));
    const c = diffAugment(x, new Rng(10));
    assert.deepEqual(a.shape, x.shape);
    assert.equal(maxAbsDiff(a, b), 0);
    assert.ok(maxAbsDiff(a, c) > 1e-3);
    const half = [0.5, 0.5, 0.5];
    for (const op of [adjustBrightness, adjustSaturation, adjustContrast]) {
      const y = op(x, half);
      assert.ok(maxAbsDiff(y, x) < 1e-6, `${op.name} with r = 0.5`);
      y.dispose();
    }
    const still = translate(x, [0, 1, 2].map(() => ({ dy: 0, dx: 0 })));
    assert.equal(maxAbsDiff(still, x), 0);
    tf.dispose([a, b, c, still]);
    // Brightness adds r − 0.5; contrast keeps the per-sample mean.
    const bright = adjustBrightness(x, [1, 0, 0.75]);
    const delta = tf.tidy(() => tf.mean(tf.sub(bright, x), [1, 2, 3]).dataSync());
    [0.5, -0.5, 0.25].forEach((d, i) => assert.ok(Math.abs(delta[i] - d) < 1e-6));
    const contrast = adjustContrast(x, [0.9, 0.1, 0.3]);
    const meanShift = tf.tidy(() => tf.sub(tf.mean(contrast, [1, 2, 3]), tf.mean(x, [1, 2, 3])).dataSync());
    meanShift.forEach((d) => assert.ok(Math.abs(d) < 1e-6));
    tf.dispose([bright, contrast]);
  });
  x.dispose();
});

test('translate: output(i, j) = input(i + dy, j + dx) with zero fill', async () => {
  const x = tf.tensor4d(Float32Array.from({ length: 16 }, (_, i) => i + 1), [1, 4, 4, 1]);
  await expectNoLeak('translate', () => {
    const y = translate(x, [{ dy: 1, dx: -1 }]);
    assert.deepEqual(Array.from(y.dataSync()), [0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 0, 0, 0]);
    y.dispose();
    // The gradient flows back to the kept pixels only.
    const g = tf.grad((t: tf.Tensor) => tf.sum(translate(t as tf.Tensor4D, [{ dy: 1, dx: -1 }])))(x);
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
    g.dispose();
  });
  x.dispose();
});

test('adaptive weight on a toy problem equals the hand-computed gradient-norm ratio, clamped', async () => {
  const w = tf.variable(tf.tensor2d([[1, 2, 2], [0, 4, 0]]), true, 'toy/decoder_pred.weight'); // ‖W‖ = 5
  const a = tf.tensor2d([[3, 0, 0], [0, 0, 4]]); // ‖A‖ = 5
  const other = tf.variable(tf.scalar(1), true, 'toy/other');
  await expectNoLeak('adaptiveGanWeight', () => {
    // ∇ sum(W²) = 2W (norm 10); ∇ sum(W ⊙ A) = A (norm 5) ⇒ a = 10 / (5 + 1e−6).
    const result = adaptiveGanWeight(
      () => tf.sum(tf.square(w)) as tf.Scalar,
      () => tf.sum(tf.mul(w, a)) as tf.Scalar,
      w,
    );
    assert.ok(Math.abs(result.reconstructionGradNorm - 10) < 1e-5);
    assert.ok(Math.abs(result.generatorGradNorm - 5) < 1e-5);
    assert.ok(Math.abs(result.weight - 10 / (5 + 1e-6)) < 1e-5);
    // A generator loss with a vanishing gradient at W is clamped at 1e4.
    const clamped = adaptiveGanWeight(() => tf.sum(tf.square(w)) as tf.Scalar, () => tf.mul(tf.sum(w), 0) as tf.Scalar, w);
    assert.equal(clamped.weight, 1e4);
  });
  assert.throws(() => adaptiveGanWeight(() => tf.mul(other, 2) as tf.Scalar, () => tf.sum(w) as tf.Scalar, w), /does not depend on 'toy\/decoder_pred.weight'/);
  tf.dispose([w, a, other]);
});

test('adversarial schedule: D from 37.5 %, G-adversarial from 50 % of the steps', () => {
  const schedule = adversarialSchedule({ dStart: 0.375, gStart: 0.5 });
  assert.equal(schedule.discriminatorStartStep(16), 6);
  assert.equal(schedule.generatorStartStep(16), 8);
  assert.equal(schedule.discriminatorStartStep(1000), 375);
  assert.equal(schedule.generatorStartStep(1001), 501);
  assert.deepEqual([5, 6, 7, 8].map((s) => [schedule.discriminatorActive(s, 16), schedule.generatorActive(s, 16)]), [
    [false, false],
    [true, false],
    [true, false],
    [true, true],
  ]);
  assert.equal(adversarialSchedule({ dStart: 1, gStart: 1 }).discriminatorActive(15, 16), false);
  assert.throws(() => adversarialSchedule({ dStart: 1.5, gStart: 0.5 }), /dStart must be in \[0, 1\], got 1.5/);
});

test('DINO-disc input: 224 resize and ImageNet normalisation of pm1 images (pixel01 p ↦ (p − mean)/std)', async () => {
  const gray = tf.fill([1, 32, 32, 3], 0.2) as tf.Tensor4D; // pm1 0.2 = pixel01 0.6
  await expectNoLeak('toDinoInput', () => {
    const y = toDinoInput(gray);
    assert.deepEqual(y.shape, [1, 224, 224, 3]);
    const values = y.dataSync();
    [0.485, 0.456, 0.406].forEach((m, c) => {
      const std = [0.229, 0.224, 0.225][c];
      assert.ok(Math.abs(values[c] - (0.6 - m) / std) < 1e-5);
      assert.ok(Math.abs(values[values.length - 3 + c] - (0.6 - m) / std) < 1e-5);
    });
    y.dispose();
    const g = tf.grad((x: tf.Tensor) => tf.sum(toDinoInput(x as tf.Tensor4D)))(gray);
    assert.deepEqual(g.shape, [1, 32, 32, 3]);
    g.dispose();
  });
  gray.dispose();
});
