/**
 * What SimVQ and plain VQ share: the input projection `quant_in`, the VQ losses with the straight-through estimator,
 * code lookup, the hand-off of the int32 indices out of a custom op, and {@link CodebookQuantizer}, the common frame
 * of both classes (training forward, cached inference search, lookup, caches).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, type Rng, linear, stopGradient, straightThrough, torchDefaultUniformInit } from '@vqrae/nn';
import type { QuantizerConfig } from '../config/types.js';
import { type NearestCodeOptions, codeNorms, nearestCodeIndices } from './nearest-code.js';
import type { QuantizeResult, Quantizer, QuantizerKind } from './quantizer.js';

/** Keys of the input projection d→e, the same for every quantizer kind. */
export const QUANT_IN_KEYS = { inWeight: 'quant_in.weight', inBias: 'quant_in.bias' } as const;

/** z = quant_in(Z_I): `[B, N, d]` → `[B·N, e]`; throws naming `who` when d is not `inputWidth`. */
export function projectIn(store: ParamStore, features: tf.Tensor3D, inputWidth: number, who: string): tf.Tensor2D {
  const [b, n, d] = features.shape;
  if (d !== inputWidth) throw new Error(`${who}: expected features [B, N, ${inputWidth}], got [${features.shape.join(', ')}]`);
  return linear(tf.reshape(features, [b * n, d]), store.get(QUANT_IN_KEYS.inWeight), store.get(QUANT_IN_KEYS.inBias)) as tf.Tensor2D; // [M, e]
}

/**
 * The quantizer outputs from z `[M, e]`, its codes q `[M, e]` and their indices `[M]`: losses
 * β·‖sg(q)−z‖² (commitment) + ‖q−sg(z)‖² (codebook), the straight-through quantized `[B, N, e]` and code counts `[k]`.
 * Call inside the caller's `tf.tidy`.
 */
export function quantizeOutputs(z: tf.Tensor2D, q: tf.Tensor, flatIndices: tf.Tensor1D, shape: { b: number; n: number; e: number; k: number; beta: number }): QuantizeResult {
  const { b, n, e, k, beta } = shape;
  const commitment = tf.mean(tf.square(tf.sub(stopGradient(q), z))) as tf.Scalar;
  const codebookLoss = tf.mean(tf.square(tf.sub(q, stopGradient(z)))) as tf.Scalar;
  const total = tf.add(tf.mul(commitment, beta), codebookLoss) as tf.Scalar;
  return {
    quantized: tf.reshape(straightThrough(z, q), [b, n, e]) as tf.Tensor3D, // [B, N, e]
    projected: tf.reshape(z, [b, n, e]) as tf.Tensor3D,
    indices: tf.reshape(flatIndices, [b, n]) as tf.Tensor2D,
    losses: { commitment, codebook: codebookLoss, total },
    codeCounts: tf.cast(tf.bincount(flatIndices, tf.tensor1d([], 'float32'), k), 'int32') as tf.Tensor1D,
  };
}

/** Rows of `codebook` `[k, e]` for int32 indices of any shape `[...]` → `[..., e]`; out-of-range indices throw naming `who`. */
export function lookupCodes(codebook: tf.Tensor2D, indices: tf.Tensor, who: string): tf.Tensor {
  const [k, e] = codebook.shape;
  if (indices.dtype !== 'int32') throw new Error(`${who}.lookup: indices must be int32, got ${indices.dtype}`);
  return tf.tidy(() => {
    const flat = tf.reshape(indices, [-1]);
    const range = tf.logicalAnd(tf.greaterEqual(flat, 0), tf.less(flat, k));
    if (!tf.all(range).dataSync()[0]) throw new Error(`${who}.lookup: indices out of range [0, ${k})`);
    return tf.reshape(tf.gather(codebook, flat), [...indices.shape, e]);
  });
}

/**
 * Carries the int32 indices a custom op computed out of it (they must never enter the tape): the op calls `keep`,
 * the caller `take`s them once, as a tensor tracked by the caller's scope.
 */
export function indicesHandOff(who: string): { keep: (indices: tf.Tensor1D) => void; take: () => tf.Tensor1D } {
  let kept: tf.Tensor1D | null = null;
  return {
    keep: (indices) => {
      kept = tf.keep(indices);
    },
    take: () => {
      if (kept === null) throw new Error(`${who}: indices requested before the code search ran`);
      const original = kept;
      kept = null;
      const owned = tf.clone(original); // tracked by the caller's scope, unlike the kept original
      original.dispose();
      return owned;
    },
  };
}

/**
 * The frame SimVQ and plain VQ share: `quantize` = quant_in, then the subclass's differentiable code search, then
 * {@link quantizeOutputs}; `indicesFor` searches the codebook of `projectedCodebook` through a cached Cᵀ `[e, k]` and
 * ‖C_j‖² `[k]` (owned here, dropped by `invalidateCache` and by every `quantize`); `lookup` gathers its rows.
 */
export abstract class CodebookQuantizer implements Quantizer {
  abstract readonly kind: QuantizerKind;
  private cachedCodebookT: tf.Tensor2D | null = null;
  private cachedCodeNorms: tf.Tensor1D | null = null;

  protected constructor(
    /** Class name in error messages (`SimVQ.quantize: …`). */
    private readonly who: string,
    readonly config: QuantizerConfig,
    /** Encoder width d (input of quant_in). */
    readonly inputWidth: number,
    readonly search: NearestCodeOptions,
  ) {}

  abstract frozenParamNames(): readonly string[];
  abstract projectedCodebook(store: ParamStore): tf.Tensor2D;
  /** Shapes of the parameters after quant_in (codebook, projection). */
  protected abstract codebookParamShapes(): Record<string, number[]>;
  /** Adds the initial parameters after quant_in (each from its own `rng.fork(name)`). */
  protected abstract initCodebookParams(store: ParamStore, rng: Rng): void;

  /** Expected parameter shapes: quant_in `[e, d]`, `[e]`, then the kind's own. */
  paramShapes(): Record<string, number[]> {
    const { codebookDim: e } = this.config;
    return { [QUANT_IN_KEYS.inWeight]: [e, this.inputWidth], [QUANT_IN_KEYS.inBias]: [e], ...this.codebookParamShapes() };
  }

  /** Adds seeded initial parameters: quant_in torch-default uniform (fan-in d), then the kind's own. */
  initParams(store: ParamStore, rng: Rng): void {
    const { codebookDim: e } = this.config;
    const d = this.inputWidth;
    store.add(QUANT_IN_KEYS.inWeight, torchDefaultUniformInit(rng.fork(QUANT_IN_KEYS.inWeight), [e, d], d));
    store.add(QUANT_IN_KEYS.inBias, torchDefaultUniformInit(rng.fork(QUANT_IN_KEYS.inBias), [e], d));
    this.initCodebookParams(store, rng);
  }

  /**
   * The training search on z `[M, e]`: codes q `[M, e]` with the gradient routing of the quantizer kind, and their
   * int32 indices `[M]` (off the tape). Runs inside `quantize`'s tidy.
   */
  protected abstract nearestCodes(store: ParamStore, z: tf.Tensor2D): { readonly codes: tf.Tensor; readonly indices: tf.Tensor1D };

  /** Z_I `[B, N, d]` → quantized codes, indices, named losses and code counts; drops the inference caches first. */
  quantize(store: ParamStore, features: tf.Tensor3D): QuantizeResult {
    this.invalidateCache();
    const [b, n] = features.shape;
    const { codebookDim: e, codebookSize: k, beta } = this.config;
    return tf.tidy(() => {
      const z = projectIn(store, features, this.inputWidth, `${this.who}.quantize`); // [M, e]
      const { codes, indices } = this.nearestCodes(store, z);
      return quantizeOutputs(z, codes, indices, { b, n, e, k, beta });
    });
  }

  /** Nearest-code indices for Z_I `[B, N, d]` without losses or gradients (inference; Cᵀ and ‖C_j‖² cached). */
  indicesFor(store: ParamStore, features: tf.Tensor3D): tf.Tensor2D {
    const [b, n] = features.shape;
    if (this.cachedCodebookT === null) this.cachedCodebookT = tf.keep(tf.transpose(this.projectedCodebook(store))); // [e, k]
    if (this.cachedCodeNorms === null) this.cachedCodeNorms = tf.keep(codeNorms(this.cachedCodebookT)); // [k]
    const codesT = this.cachedCodebookT;
    const norms = this.cachedCodeNorms;
    return tf.tidy(() => {
      const z = projectIn(store, features, this.inputWidth, `${this.who}.indicesFor`); // [M, e]
      return tf.reshape(nearestCodeIndices(z, codesT, norms, this.search), [b, n]) as tf.Tensor2D; // [B, N]
    });
  }

  /** Codes `projectedCodebook[indices]` for int32 indices of any shape `[...]` → `[..., e]`. */
  lookup(store: ParamStore, indices: tf.Tensor): tf.Tensor {
    return lookupCodes(this.projectedCodebook(store), indices, this.who);
  }

  /** Drops the cached Cᵀ and ‖C_j‖² (call after changing parameters other than through `quantize`). */
  invalidateCache(): void {
    this.cachedCodebookT?.dispose();
    this.cachedCodeNorms?.dispose();
    this.cachedCodebookT = null;
    this.cachedCodeNorms = null;
  }

  /** Releases caches (parameters belong to the store). */
  dispose(): void {
    this.invalidateCache();
  }
}
