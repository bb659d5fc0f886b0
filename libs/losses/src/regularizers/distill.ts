import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { stopGradient } from '@vqrae/nn';
import { check } from '../internal/ops.js';

/**
 * Self-distillation (spec §7.2): mean over all elements of (Z_I − sg(Z_T))². The teacher side is stop-gradiented,
 * so gradients reach the student only. Term: `distill`. Caller owns the output; inputs are borrowed.
 */
export function distillationLoss(studentFeatures: tf.Tensor, teacherFeatures: tf.Tensor): LossOutput {
  const where = `loss ${LOSS_NAMES.distill}`;
  check(
    studentFeatures.rank === teacherFeatures.rank && studentFeatures.shape.every((d, i) => d === teacherFeatures.shape[i]),
    where,
    () => `student features [${studentFeatures.shape}] and teacher features [${teacherFeatures.shape}] differ in shape`,
  );
  return tf.tidy(() => {
    const value = tf.mean(tf.squaredDifference(studentFeatures, stopGradient(teacherFeatures))) as tf.Scalar;
    return { total: value, terms: { [LOSS_NAMES.distill]: tf.clone(value) } };
  });
}

/** Registry factory for `distill`; needs `inputs.studentFeatures` and `inputs.teacherFeatures`. */
export function createDistillLoss(): Loss {
  return {
    name: LOSS_NAMES.distill,
    describe: () => 'distill(mean (Z_I - sg(Z_T))^2)',
    compute: (inputs: LossInputs): LossOutput => {
      const where = `loss ${LOSS_NAMES.distill}`;
      check(inputs.studentFeatures !== undefined, where, () => 'needs inputs.studentFeatures');
      check(inputs.teacherFeatures !== undefined, where, () => 'needs inputs.teacherFeatures');
      return distillationLoss(inputs.studentFeatures, inputs.teacherFeatures);
    },
  };
}
