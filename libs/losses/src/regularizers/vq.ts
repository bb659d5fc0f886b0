import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { Loss, LossInputs, LossOutput } from '../types.js';
import { check } from '../internal/ops.js';

/** Weights of the quantizer's named terms (spec §4.3, SimVQ legacy=false: commitment β = 0.25, codebook 1). */
export type VqTermWeights = Readonly<Record<string, number>>;

/** Default SimVQ weights, for a quantizer that reports the raw `commitment` and `codebook` means. */
export const DEFAULT_VQ_TERM_WEIGHTS: VqTermWeights = { commitment: 0.25, codebook: 1 };

/**
 * Σ_t w_t · term_t over the quantizer's named terms (e.g. `SimVQ.quantize(...).losses` of @vqrae/tokenizer).
 * Terms come out as `vq.<name>` (unweighted copies); every input term must have a weight and every weight a term
 * (a renamed quantizer term fails loudly). A `total` entry is ignored: the weights are applied here (the defaults
 * reproduce SimVQ's β·commitment + codebook). Caller owns the output; the input scalars stay the quantizer's.
 */
export function vqLoss(quantizerTerms: Readonly<Record<string, tf.Scalar>>, weights: VqTermWeights = DEFAULT_VQ_TERM_WEIGHTS): LossOutput {
  const where = `loss ${LOSS_NAMES.vq}`;
  const names = Object.keys(quantizerTerms).filter((n) => n !== 'total').sort();
  const weighted = Object.keys(weights).sort();
  check(
    names.length === weighted.length && names.every((n, i) => n === weighted[i]),
    where,
    () => `quantizer terms [${names}] do not match the configured weights [${weighted}]`,
  );
  return tf.tidy(() => {
    const terms: Record<string, tf.Scalar> = {};
    let total: tf.Scalar = tf.scalar(0);
    for (const name of names) {
      const term = quantizerTerms[name] as tf.Scalar;
      terms[`${LOSS_NAMES.vq}.${name}`] = tf.clone(term);
      total = tf.add(total, tf.mul(term, weights[name] as number));
    }
    return { total, terms };
  });
}

/** Registry factory for `vq`; needs `inputs.quantizerTerms`. */
export function createVqLoss(options: { weights?: VqTermWeights } = {}): Loss {
  const weights = options.weights ?? DEFAULT_VQ_TERM_WEIGHTS;
  return {
    name: LOSS_NAMES.vq,
    describe: () => `vq(${Object.entries(weights).map(([n, w]) => `${w}·${n}`).join(' + ')})`,
    compute: (inputs: LossInputs): LossOutput => {
      check(inputs.quantizerTerms !== undefined, `loss ${LOSS_NAMES.vq}`, () => 'needs inputs.quantizerTerms');
      return vqLoss(inputs.quantizerTerms, weights);
    },
  };
}
