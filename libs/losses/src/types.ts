import type * as tf from '@tensorflow/tfjs-core';
import type { LossName } from './names.js';

/**
 * What every loss returns: a total and its named terms.
 *
 * Ownership: every tensor in a `LossOutput` is newly created by the loss and owned by the caller (dispose with
 * `disposeLossOutput`, or let an enclosing `tf.tidy` / `tf.variableGrads` collect them). `total` and the terms are
 * distinct tensors, so disposing one never invalidates another. Inputs are borrowed and never disposed.
 */
export interface LossOutput {
  /** The loss value to optimise (already combined from the terms with the loss's internal weights). */
  total: tf.Scalar;
  /** Named scalars for the per-step log; keys start with the loss name (`l2`, `vq.commitment`, `E_T-disc.g`). */
  terms: Record<string, tf.Scalar>;
}

/**
 * Intermediate token features of a frozen network for pm1 images [B, H, W, 3]: one [B, N_l, C_l] tensor per
 * tapped layer, in the backbone's documented order (encoders: shallow to deep; DINO: RAE's order, final first) —
 * the discriminator has one head per map, so the order only fixes which head sees which map. Injected so that this library never depends on a particular encoder; the training
 * graph wires the real (teacher) encoder or a DINO backbone. The caller of the pyramid owns the returned tensors.
 * The pyramid must be differentiable w.r.t. its input (the adversarial generator term backpropagates through it)
 * and must not expose trainable variables (frozen).
 */
export type FeaturePyramid = (imagesPm1: tf.Tensor4D) => tf.Tensor3D[];

/** The seeded random source the stochastic parts need; `Rng` from `@vqrae/nn` satisfies it. */
export interface RandomSource {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * Everything a registered loss may read in one training step. Each loss documents which fields it needs and
 * throws naming itself when one is missing. All tensors are borrowed.
 */
export interface LossInputs {
  /** Decoder output x̂ in pixel01 [B, H, W, 3] (on the tape). */
  reconstruction01: tf.Tensor4D;
  /** Target x in pixel01 [B, H, W, 3]. */
  target01: tf.Tensor4D;
  /** The quantizer's named loss terms (e.g. { commitment, codebook }), for `vq`. */
  quantizerTerms?: Readonly<Record<string, tf.Scalar>>;
  /** Student encoder features Z_I [B, N, d], for `distill`. */
  studentFeatures?: tf.Tensor;
  /** Frozen teacher features Z_T [B, N, d], for `distill` (stop-gradiented inside). */
  teacherFeatures?: tf.Tensor;
  /**
   * `enc-perceptual`: the frozen pyramid's features of the target 2x−1 (one [B, N_l, C_l] per layer), computed once
   * outside the gradient tape; when given, only x̂ is passed through the pyramid.
   */
  targetPyramid?: readonly tf.Tensor3D[];
  /** Per-call random source (DiffAug in `adversarial`); the caller owns and checkpoints its state. */
  rng?: RandomSource;
}

/** A constructed loss: a named, pure function of the step's inputs. */
export interface Loss {
  readonly name: LossName;
  /** One line for `--dry-run` and run logs (e.g. `lpips(vgg16, v0.1)`, `enc-perceptual(3 layers)`). */
  describe(): string;
  /** Computes the loss; see `LossOutput` for ownership. */
  compute(inputs: LossInputs): LossOutput;
}

/** Disposes the total and every term of a loss output. */
export function disposeLossOutput(output: LossOutput): void {
  output.total.dispose();
  for (const t of Object.values(output.terms)) t.dispose();
}
