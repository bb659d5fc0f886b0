import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { disposeLossOutput, distillationLoss, vqLoss } from '../src/index.js';
import { expectNoLeak } from './helpers/fixtures.js';

test('vq: weighted pass-through of the quantizer terms, names checked', async () => {
  const commitment = tf.scalar(0.8);
  const codebook = tf.scalar(0.1);
  const total = tf.scalar(0.3); // the quantizer's own β·commitment + codebook: ignored, weights apply here
  await expectNoLeak('vqLoss', () => {
    const out = vqLoss({ commitment, codebook, total });
    assert.ok(Math.abs(out.total.dataSync()[0] - (0.25 * 0.8 + 0.1)) < 1e-7);
    assert.deepEqual(Object.keys(out.terms).sort(), ['vq.codebook', 'vq.commitment']);
    assert.ok(Math.abs(out.terms['vq.commitment'].dataSync()[0] - 0.8) < 1e-7);
    disposeLossOutput(out);
  });
  assert.throws(() => vqLoss({ commit: commitment }), /loss vq: quantizer terms \[commit\] do not match/);
  tf.dispose([commitment, codebook, total]);
});

test('distill: MSE value, gradient reaches the student only', async () => {
  const student = tf.variable(tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]), true, 'student');
  const teacher = tf.variable(tf.tensor3d([1, 1, 1, 1, 1, 1], [1, 2, 3]), true, 'teacher');
  await expectNoLeak('distillationLoss', () => {
    const out = distillationLoss(student, teacher);
    assert.ok(Math.abs(out.total.dataSync()[0] - (0 + 1 + 4 + 9 + 16 + 25) / 6) < 1e-6);
    assert.deepEqual(Object.keys(out.terms), ['distill']);
    disposeLossOutput(out);
    const { value, grads } = tf.variableGrads(() => distillationLoss(student, teacher).total, [student, teacher]);
    // d/ds mean((s − t)²) = 2(s − t)/6 for the student; the teacher's gradient is exactly zero (stop-gradient).
    assert.deepEqual(Array.from(grads.student.dataSync()).map((g) => Math.round(g * 6e5) / 1e5), [0, 2, 4, 6, 8, 10]);
    assert.ok(Array.from(grads.teacher.dataSync()).every((g) => g === 0));
    tf.dispose([value, grads.student, grads.teacher]);
  });
  assert.throws(() => distillationLoss(student, tf.zeros([1, 3, 2])), /loss distill: student features \[1,2,3\]/);
  tf.dispose([student, teacher]);
});
