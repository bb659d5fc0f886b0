import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '../types.js';
import { check } from '../internal/ops.js';

/** Whether a discriminator forward updates spectral-norm vectors (PyTorch `module.training`). */
export type DiscriminatorMode = 'train' | 'eval';

interface PowerVectors {
  u: tf.Tensor1D; // [out]
  v: tf.Tensor1D; // [in·k]
}

/** F.normalize with eps: x / max(‖x‖₂, eps). */
function normalize(x: tf.Tensor1D, eps: number): tf.Tensor1D {
  return tf.div(x, tf.maximum(tf.norm(x), eps));
}

/**
 * Persistent spectral-norm power-iteration vectors (PyTorch `weight_u`, `weight_v` buffers), one pair per weight
 * key, plus the normalisation op. Owns its tensors; `dispose()`. Buffers, not parameters: they are saved in
 * checkpoints (`toNamedTensors`) but never optimised.
 *
 * Semantics follow torch.nn.utils.spectral_norm (n_power_iterations = 1, eps = 1e−12): in 'train' mode every
 * normalisation first runs one power iteration (v ← normalize(Wᵀu), u ← normalize(W v)) and stores u, v; in
 * 'eval' mode the stored u, v are reused unchanged. σ = uᵀ W v; the result is W / σ with u, v treated as
 * constants, so the gradient flows through W and through σ exactly as in PyTorch.
 */
export class SpectralNormState {
  private readonly vectors = new Map<string, PowerVectors>();

  constructor(private readonly eps = 1e-12) {}

  /** Registers a weight key with random unit u [out] and v [inner] drawn from `rng` (as torch at wrap time). */
  init(key: string, out: number, inner: number, rng: RandomSource): void {
    check(!this.vectors.has(key), 'SpectralNormState.init', () => `key '${key}' is already registered`);
    const draw = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
    this.vectors.set(
      key,
      tf.tidy(() => ({
        u: normalize(tf.tensor1d(draw(out)), this.eps),
        v: normalize(tf.tensor1d(draw(inner)), this.eps),
      })),
    );
  }

  /** Registered keys (the weight keys, e.g. `disc.heads.0.main.0.0.weight_orig`). */
  keys(): string[] {
    return [...this.vectors.keys()];
  }

  /**
   * W / σ(W) for W [out, inner] (usually a tf.Variable; result is on the tape w.r.t. W). In 'train' mode runs one
   * power iteration first and stores the new u, v. Caller owns the result.
   */
  normalize(key: string, weightMatrix: tf.Tensor2D, mode: DiscriminatorMode): tf.Tensor2D {
    const vectors = this.lookup(key, weightMatrix);
    // A custom op whose forward (not recorded on the tape) may update u, v, and whose gradient treats them as
    // constants: d(W/σ)/dW · G = G/σ − (Σ G⊙W)/σ² · u vᵀ.
    const op = tf.customGrad((...inputs) => {
      const w = inputs[0] as tf.Tensor2D;
      const save = inputs[1] as tf.GradSaveFunc;
      if (mode === 'train') this.powerIteration(key, w, vectors);
      const { u, v } = this.vectors.get(key) as PowerVectors;
      const sigma = tf.sum(tf.mul(u, tf.sum(tf.mul(w, v), 1))); // uᵀ (W v)
      save([w, u, v, sigma]);
      return {
        value: tf.div(w, sigma),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [ws, us, vs, s] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D, tf.Scalar];
          const inner = tf.sum(tf.mul(dy, ws)); // Σ G⊙W
          const outer = tf.mul(tf.reshape(us, [-1, 1]), tf.reshape(vs, [1, -1])); // [out, inner] = u vᵀ
          return tf.sub(tf.div(dy, s), tf.mul(tf.div(inner, tf.square(s)), outer));
        },
      };
    });
    return op(weightMatrix) as tf.Tensor2D;
  }

  /** σ = uᵀ W v with the stored vectors (no update). Caller owns the scalar. */
  sigma(key: string, weightMatrix: tf.Tensor2D): tf.Scalar {
    const { u, v } = this.lookup(key, weightMatrix);
    return tf.tidy(() => tf.sum(tf.mul(u, tf.sum(tf.mul(weightMatrix, v), 1))) as tf.Scalar);
  }

  /** The buffers as `${key minus _orig}_u` / `_v`, PyTorch style (views; do not dispose). */
  toNamedTensors(): Record<string, tf.Tensor> {
    const named: Record<string, tf.Tensor> = {};
    for (const [key, { u, v }] of this.vectors) {
      const base = key.replace(/_orig$/, '');
      named[`${base}_u`] = u;
      named[`${base}_v`] = v;
    }
    return named;
  }

  /** Restores buffers written by `toNamedTensors` (copies; shapes checked). */
  load(named: Readonly<Record<string, tf.Tensor>>): void {
    for (const [key, vectors] of this.vectors) {
      const base = key.replace(/_orig$/, '');
      for (const which of ['u', 'v'] as const) {
        const source = named[`${base}_${which}`];
        check(source !== undefined, 'SpectralNormState.load', () => `missing buffer '${base}_${which}'`);
        check(
          source.size === vectors[which].size,
          'SpectralNormState.load',
          () => `buffer '${base}_${which}' has shape [${source.shape}], expected [${vectors[which].shape}]`,
        );
        vectors[which].dispose();
        vectors[which] = tf.tidy(() => tf.reshape(tf.clone(source), [-1]) as tf.Tensor1D); // one new tensor, no temporaries
      }
    }
  }

  /** Releases every buffer. */
  dispose(): void {
    for (const { u, v } of this.vectors.values()) {
      u.dispose();
      v.dispose();
    }
    this.vectors.clear();
  }

  private lookup(key: string, weightMatrix: tf.Tensor2D): PowerVectors {
    const vectors = this.vectors.get(key);
    check(vectors !== undefined, 'SpectralNormState', () => `unknown weight key '${key}'`);
    check(
      weightMatrix.rank === 2 && weightMatrix.shape[0] === vectors.u.size && weightMatrix.shape[1] === vectors.v.size,
      'SpectralNormState',
      () => `weight '${key}' has shape [${weightMatrix.shape}], expected [${vectors.u.size}, ${vectors.v.size}]`,
    );
    return vectors;
  }

  private powerIteration(key: string, w: tf.Tensor2D, old: PowerVectors): void {
    const next = tf.tidy(() => {
      const v = normalize(tf.sum(tf.mul(w, tf.reshape(old.u, [-1, 1])), 0), this.eps); // Wᵀu [inner]
      const u = normalize(tf.sum(tf.mul(w, v), 1), this.eps); // W v [out]
      return { u: tf.keep(u), v: tf.keep(v) };
    });
    old.u.dispose();
    old.v.dispose();
    this.vectors.set(key, next);
  }
}
