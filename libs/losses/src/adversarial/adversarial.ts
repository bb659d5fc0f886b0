import * as tf from '@tensorflow/tfjs-core';
import { LOSS_NAMES } from '../names.js';
import type { FeaturePyramid, Loss, LossInputs, LossOutput, RandomSource } from '../types.js';
import { check, tidyLoss, toPm1 } from '../internal/ops.js';
import { DEFAULT_DIFFAUG, diffAugment, type DiffAugOptions } from './diffaug.js';
import type { Discriminator, ParamLookup } from './discriminator.js';
import { generatorAdversarialValue, hingeDiscriminatorLoss, quantizeFakesPm1 } from './gan-losses.js';

/** What the adversarial parts need: heads, their parameters, the frozen backbone and the DiffAug policy. */
export interface AdversarialOptions {
  discriminator: Discriminator;
  /** Parameter lookup for the heads (borrowed). */
  params: ParamLookup;
  /** The frozen backbone (teacher encoder for `E_T-disc`, DINO for `DINO-disc`), pm1 → feature maps. */
  backbone: FeaturePyramid;
  augment?: DiffAugOptions;
}

/** Term key of the generator adversarial value, e.g. `adversarial.E_T-disc.g`. */
export function generatorTermKey(options: Pick<AdversarialOptions, 'discriminator'>): string {
  return `${LOSS_NAMES.adversarial}.${options.discriminator.config.label}.g`;
}

/**
 * Registry factory for `adversarial`: L_G = −mean D(DiffAug(2x̂ − 1)) with D in eval mode (no power iteration,
 * as RAE's generator step). Needs `inputs.rng` (DiffAug draws). Gradients flow through the frozen backbone to x̂;
 * the heads' parameters receive gradients only if the caller asks for them (the G step should not).
 * The adaptive weight a and λ_G are applied by the caller (`adaptiveGanWeight`, `composeLosses`).
 */
export function createAdversarialLoss(options: AdversarialOptions): Loss {
  const key = generatorTermKey(options);
  return {
    name: LOSS_NAMES.adversarial,
    describe: () => `adversarial(${options.discriminator.describe()}, G = -mean D(DiffAug(x̂)))`,
    compute: (inputs: LossInputs): LossOutput => {
      const rng = inputs.rng;
      check(rng !== undefined, `loss ${LOSS_NAMES.adversarial}`, () => 'needs inputs.rng for DiffAug');
      return tf.tidy(() => {
        const augmented = diffAugment(toPm1(inputs.reconstruction01), rng, options.augment ?? DEFAULT_DIFFAUG);
        const logits = options.discriminator.logits(options.params, options.backbone(augmented), 'eval');
        const value = generatorAdversarialValue(logits);
        return { total: value, terms: { [key]: tf.clone(value) } };
      });
    },
  };
}

/**
 * The discriminator's loss for one D update (spec §7.5, step 6 of §7.9): fakes = quantised clamp of 2x̂ − 1
 * (x̂ recomputed by the caller after the G step, no tape needed), reals = 2x − 1; both through DiffAug (reals
 * first, then fakes, from `rng`), then the frozen backbone OUTSIDE the tape, then the heads in one 'train' forward
 * (one power iteration per D update). Returns the hinge output of `hingeDiscriminatorLoss` keyed by the label.
 *
 * Use as `tf.variableGrads(() => discriminatorLoss(...).total, headVariables)` — only the head variables get
 * gradients; the backbone is never touched. Caller owns the output.
 */
export function discriminatorLoss(
  options: AdversarialOptions,
  real01: tf.Tensor4D,
  fake01: tf.Tensor4D,
  rng: RandomSource,
): LossOutput {
  const augment = options.augment ?? DEFAULT_DIFFAUG;
  const batch = real01.shape[0];
  // Backbone features are constants for D: compute them without recording anything that D's gradient needs.
  const features = tf.tidy(() => {
    const real = diffAugment(toPm1(real01), rng, augment);
    const fake = diffAugment(quantizeFakesPm1(toPm1(fake01)), rng, augment);
    return options.backbone(tf.concat([real, fake], 0)); // each [2B, N_i, C_i]
  });
  try {
    return tidyLoss(() => {
      const logits = options.discriminator.logits(options.params, features, 'train'); // [2B, M]
      const [realLogits, fakeLogits] = tf.split(logits, [batch, batch], 0);
      return hingeDiscriminatorLoss(options.discriminator.config.label, realLogits, fakeLogits);
    });
  } finally {
    tf.dispose(features);
  }
}
