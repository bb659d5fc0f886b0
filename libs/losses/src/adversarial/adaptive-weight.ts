import * as tf from '@tensorflow/tfjs-core';

/** Result of the adaptive GAN weight, with the two norms for the per-step log. */
export interface AdaptiveWeight {
  /** a = clamp(‖∇L_rec‖ / (‖∇L_G‖ + eps), 0, max), a detached number. */
  weight: number;
  reconstructionGradNorm: number;
  generatorGradNorm: number;
}

/** Options of the adaptive weight (RAE defaults). */
export interface AdaptiveWeightOptions {
  eps?: number; // 1e−6
  max?: number; // 1e4
}

/**
 * a from two gradient norms (spec §7.4). Use directly when the caller already has ∇_{W_last} of both losses
 * (e.g. computed from ∂L/∂x̂ without re-running the decoder).
 */
export function adaptiveWeightFromNorms(
  reconstructionGradNorm: number,
  generatorGradNorm: number,
  options: AdaptiveWeightOptions = {},
): AdaptiveWeight {
  const weight = Math.min(Math.max(reconstructionGradNorm / (generatorGradNorm + (options.eps ?? 1e-6)), 0), options.max ?? 1e4);
  return { weight, reconstructionGradNorm, generatorGradNorm };
}

/**
 * RAE's adaptive GAN weight a = clamp(‖∇_{W} L_rec‖₂ / (‖∇_{W} L_G‖₂ + 1e−6), 0, 1e4) with W = decoder_pred.weight
 * (spec §7.4). Each loss function is run once under its own gradient call restricted to W (two extra
 * forward/backward passes); the result is a plain number (detached constant). Leaves no tensors behind; the loss
 * functions' own tensors are collected.
 */
export function adaptiveGanWeight(
  reconstructionLoss: () => tf.Scalar,
  generatorLoss: () => tf.Scalar,
  lastLayerWeight: tf.Variable,
  options: AdaptiveWeightOptions = {},
): AdaptiveWeight {
  const gradNorm = (loss: () => tf.Scalar, which: string): number =>
    tf.tidy(() => {
      let grad: tf.Tensor | undefined;
      try {
        grad = tf.variableGrads(loss, [lastLayerWeight]).grads[lastLayerWeight.name];
      } catch (error) {
        throw new Error(`adaptiveGanWeight: the ${which} loss does not depend on '${lastLayerWeight.name}' (${String(error)})`);
      }
      if (grad === undefined) throw new Error(`adaptiveGanWeight: the ${which} loss does not depend on '${lastLayerWeight.name}'`);
      return tf.norm(grad).dataSync()[0];
    });
  return adaptiveWeightFromNorms(gradNorm(reconstructionLoss, 'reconstruction'), gradNorm(generatorLoss, 'generator'), options);
}
