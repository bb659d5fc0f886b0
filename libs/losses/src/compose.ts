import * as tf from '@tensorflow/tfjs-core';
import type { LossOutput } from './types.js';
import { check } from './internal/ops.js';

/** The composed objective with every term, weighted and unweighted, for the per-step log. */
export interface ComposedLoss {
  /** Σ_loss weight_loss · total_loss. */
  total: tf.Scalar;
  /** Every term of every loss as computed (keys as the losses name them, e.g. `vq.commitment`). */
  unweighted: Record<string, tf.Scalar>;
  /** The same keys, each multiplied by its loss's weight. */
  weighted: Record<string, tf.Scalar>;
  /** The weight used for each loss (from config, possibly scaled per step, e.g. λ_G·a). */
  weights: Record<string, number>;
}

/**
 * Combines loss outputs by name with per-loss weights (from config): total = Σ w_name · outputs[name].total.
 * Every loss with an output needs a weight and vice versa (a typo in a config key fails loudly); a weight of 0
 * keeps the terms in the log but adds nothing. The outputs are borrowed; every tensor of the result is new and
 * owned by the caller (dispose with `disposeComposedLoss`).
 */
export function composeLosses(outputs: Readonly<Record<string, LossOutput>>, weights: Readonly<Record<string, number>>): ComposedLoss {
  const names = Object.keys(outputs).sort();
  const weighted = Object.keys(weights).sort();
  check(
    names.length === weighted.length && names.every((n, i) => n === weighted[i]),
    'composeLosses',
    () => `losses [${names}] do not match the weights [${weighted}]`,
  );
  for (const name of names) {
    const w = weights[name] as number;
    check(Number.isFinite(w), 'composeLosses', () => `weight of '${name}' is ${w}`);
  }
  return tf.tidy(() => {
    const result: ComposedLoss = { total: tf.scalar(0), unweighted: {}, weighted: {}, weights: { ...weights } };
    for (const name of names) {
      const output = outputs[name] as LossOutput;
      const w = weights[name] as number;
      result.total = tf.add(result.total, tf.mul(output.total, w));
      for (const [key, term] of Object.entries(output.terms)) {
        check(!(key in result.unweighted), 'composeLosses', () => `term '${key}' is produced by two losses`);
        result.unweighted[key] = tf.clone(term);
        result.weighted[key] = tf.mul(term, w) as tf.Scalar;
      }
    }
    return result as unknown as tf.TensorContainerObject;
  }) as unknown as ComposedLoss;
}

/** Disposes every tensor of a composed loss. */
export function disposeComposedLoss(composed: ComposedLoss): void {
  composed.total.dispose();
  tf.dispose(Object.values(composed.unweighted));
  tf.dispose(Object.values(composed.weighted));
}

/** Reads every scalar of a composed loss into plain numbers (one row of the per-step log). */
export function composedLossValues(composed: ComposedLoss): Record<string, number> {
  const row: Record<string, number> = { total: composed.total.dataSync()[0] };
  for (const [key, t] of Object.entries(composed.unweighted)) row[key] = t.dataSync()[0];
  for (const [key, t] of Object.entries(composed.weighted)) row[`${key}:weighted`] = t.dataSync()[0];
  return row;
}
