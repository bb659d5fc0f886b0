import * as tf from '@tensorflow/tfjs-core';
import type { DiscriminatorLabel } from '../names.js';
import type { RandomSource } from '../types.js';
import { check } from '../internal/ops.js';
import { circularConv1d, localBatchNorm } from './conv1d.js';
import { SpectralNormState, type DiscriminatorMode } from './spectral-norm.js';

/** Looks a parameter up by its checkpoint name (e.g. `(name) => store.get(name)` on a ParamStore). */
export type ParamLookup = (name: string) => tf.Tensor;

/** Shape of the discriminator heads (spec §7.5). */
export interface DiscriminatorConfig {
  /** Honest backbone label used in every term key and log line. */
  label: DiscriminatorLabel;
  /** Channel width C_i of each backbone feature map, one head per map (full DINO-S/8: five × 384). */
  channels: readonly number[];
  /** Kernel of the residual SNConv1d (RAE: 9; tiny: 3). Odd. */
  kernelSize: number;
  /** LeakyReLU slope (0.2). */
  leakySlope: number;
  /** BNLocal epsilon (1e−6). */
  normEps: number;
  /** Checkpoint key prefix (default `disc.`). */
  prefix: string;
}

/** RAE defaults for a given label and widths. */
export function defaultDiscriminatorConfig(label: DiscriminatorLabel, channels: readonly number[]): DiscriminatorConfig {
  return { label, channels, kernelSize: 9, leakySlope: 0.2, normEps: 1e-6, prefix: 'disc.' };
}

/**
 * Parameter keys of head i (PyTorch names of the StyleGAN-T/RAE DiscHead with spectral-norm convs):
 * `heads.{i}.main.0.0.weight_orig` [C, C, 1] + `.bias`; `heads.{i}.main.0.1.weight|bias` [C] (BNLocal γ, β);
 * `heads.{i}.main.1.fn.0.weight_orig` [C, C, K] + `.bias`; `heads.{i}.main.1.fn.1.weight|bias`;
 * `heads.{i}.cls.weight_orig` [1, C, 1] + `.bias` [1]. Spectral buffers: the same keys with `_u`, `_v`.
 */
export function headKeys(config: DiscriminatorConfig, head: number) {
  const p = `${config.prefix}heads.${head}.`;
  return {
    conv0: { weight: `${p}main.0.0.weight_orig`, bias: `${p}main.0.0.bias` },
    norm0: { gamma: `${p}main.0.1.weight`, beta: `${p}main.0.1.bias` },
    conv1: { weight: `${p}main.1.fn.0.weight_orig`, bias: `${p}main.1.fn.0.bias` },
    norm1: { gamma: `${p}main.1.fn.1.weight`, beta: `${p}main.1.fn.1.bias` },
    cls: { weight: `${p}cls.weight_orig`, bias: `${p}cls.bias` },
  };
}

/**
 * Discriminator heads over a frozen backbone's feature maps. Holds the config and the spectral-norm buffers
 * (owned; `dispose()`); parameters live in the caller's store and are passed in by `ParamLookup` on every call.
 */
export class Discriminator {
  private constructor(
    readonly config: DiscriminatorConfig,
    /** Persistent u, v per spectral-norm conv (save with `spectral.toNamedTensors()`). */
    readonly spectral: SpectralNormState,
  ) {}

  /**
   * Creates the heads: initial parameters (torch Conv1d default U(±1/√(C_in·K)) for weights and biases, BN γ=1,
   * β=0; caller takes ownership, e.g. adds them to a ParamStore as trainable) and random unit u, v buffers.
   * Draw order: per head, conv0 (weight, bias, u, v), conv1 (…), cls (…).
   */
  static init(config: DiscriminatorConfig, rng: RandomSource): { discriminator: Discriminator; initialParams: Record<string, tf.Tensor> } {
    check(config.kernelSize % 2 === 1, 'Discriminator.init', () => `kernelSize ${config.kernelSize} must be odd`);
    const spectral = new SpectralNormState();
    const params: Record<string, tf.Tensor> = {};
    const uniform = (n: number, bound: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * bound);
    const conv = (keys: { weight: string; bias: string }, out: number, inn: number, k: number) => {
      const bound = 1 / Math.sqrt(inn * k);
      params[keys.weight] = tf.tensor3d(uniform(out * inn * k, bound), [out, inn, k]);
      params[keys.bias] = tf.tensor1d(uniform(out, bound));
      spectral.init(keys.weight, out, inn * k, rng);
    };
    config.channels.forEach((c, i) => {
      const keys = headKeys(config, i);
      conv(keys.conv0, c, c, 1);
      params[keys.norm0.gamma] = tf.ones([c]);
      params[keys.norm0.beta] = tf.zeros([c]);
      conv(keys.conv1, c, c, config.kernelSize);
      params[keys.norm1.gamma] = tf.ones([c]);
      params[keys.norm1.beta] = tf.zeros([c]);
      conv(keys.cls, 1, c, 1);
    });
    return { discriminator: new Discriminator(config, spectral), initialParams: params };
  }

  /** e.g. `E_T-disc(3 heads × 64ch, k=3)`. */
  describe(): string {
    const widths = [...new Set(this.config.channels)].join('/');
    return `${this.config.label}(${this.config.channels.length} heads × ${widths}ch, k=${this.config.kernelSize}, spectral norm, hinge)`;
  }

  /**
   * Logits for backbone feature maps (one [B, N_i, C_i] per head) → [B, Σ N_i] (caller owns). In 'train' mode each
   * spectral-norm conv runs one power iteration (PyTorch train mode); in 'eval' mode the stored vectors are reused.
   */
  logits(params: ParamLookup, features: readonly tf.Tensor3D[], mode: DiscriminatorMode): tf.Tensor2D {
    const where = `${this.config.label} logits`;
    check(
      features.length === this.config.channels.length,
      where,
      () => `expected ${this.config.channels.length} feature maps, got ${features.length}`,
    );
    return tf.tidy(() => {
      const outputs = features.map((x, i) => {
        check(x.rank === 3 && x.shape[2] === this.config.channels[i], where, () => `feature map ${i} has shape [${x.shape}], expected [B, N, ${this.config.channels[i]}]`);
        const keys = headKeys(this.config, i);
        const snConv = (input: tf.Tensor3D, k: { weight: string; bias: string }) => {
          const w = params(k.weight) as tf.Tensor3D; // [out, in, K]
          const [out, inn, kernel] = w.shape;
          const normalized = this.spectral.normalize(k.weight, tf.reshape(w, [out, inn * kernel]) as tf.Tensor2D, mode);
          return circularConv1d(input, tf.reshape(normalized, [out, inn, kernel]) as tf.Tensor3D, params(k.bias) as tf.Tensor1D);
        };
        const block = (input: tf.Tensor3D, conv: { weight: string; bias: string }, norm: { gamma: string; beta: string }) =>
          tf.leakyRelu(
            localBatchNorm(snConv(input, conv), params(norm.gamma) as tf.Tensor1D, params(norm.beta) as tf.Tensor1D, this.config.normEps),
            this.config.leakySlope,
          ) as tf.Tensor3D;
        const h = block(x, keys.conv0, keys.norm0); // [B, N, C]
        const residual = tf.div(tf.add(block(h, keys.conv1, keys.norm1), h), Math.SQRT2) as tf.Tensor3D; // [B, N, C]
        const logit = snConv(residual, keys.cls); // [B, N, 1]
        return tf.reshape(logit, [x.shape[0], x.shape[1]]); // [B, N]
      });
      return tf.concat(outputs, 1) as tf.Tensor2D; // [B, Σ N_i]
    });
  }

  /** Releases the spectral-norm buffers (parameters belong to the caller's store). */
  dispose(): void {
    this.spectral.dispose();
  }
}
