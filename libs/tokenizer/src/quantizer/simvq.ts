/**
 * SimVQ quantizer with the input projection `quant_in` (spec §4): frozen codebook C, learnable projection
 * C' = C·Wᵀ + b, L2 nearest code, straight-through estimator, loss β·‖sg(q)−z‖² + ‖q−sg(z)‖².
 *
 * Gradient routing (works on wasm, which has no gather gradient): search, gather of the FROZEN codebook rows and the
 * projection q = C[idx]·Wᵀ + b run as one custom op with an explicit gradient (dW = dqᵀ·C[idx], db = Σ dq) made of
 * plain matMuls; nothing inside it is taped, so the chunked distance matrices are never kept for the backward pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type ParamStore,
  type Rng,
  defineCustomOp,
  linear,
  normalInit,
  torchDefaultUniformInit,
} from '@vqrae/nn';
import type { QuantizerConfig } from '../config/types.js';
import { type NearestCodeOptions, codeNorms, nearestCodeIndices } from './nearest-code.js';
import { CodebookQuantizer, indicesHandOff, QUANT_IN_KEYS } from './quantize-common.js';

/** Checkpoint names of the quantizer parameters (SimVQ module names + this spec's `quant_in`). */
export const QUANTIZER_KEYS = {
  ...QUANT_IN_KEYS,
  codebook: 'quantizer.embedding.weight',
  projWeight: 'quantizer.embedding_proj.weight',
  projBias: 'quantizer.embedding_proj.bias',
} as const;

/** SimVQ bound to its config; parameters are read from the store at every call. */
export class SimVQ extends CodebookQuantizer {
  readonly kind = 'simvq' as const;
  private cachedCodebook: tf.Tensor2D | null = null;

  constructor(config: QuantizerConfig, /** Encoder width d (input of quant_in). */ inputWidth: number, search: NearestCodeOptions = {}) {
    super('SimVQ', config, inputWidth, search);
  }

  /** C `[k, e]`, W `[e, e]`, b `[e]`. */
  protected codebookParamShapes(): Record<string, number[]> {
    const { codebookSize: k, codebookDim: e } = this.config;
    return { [QUANTIZER_KEYS.codebook]: [k, e], [QUANTIZER_KEYS.projWeight]: [e, e], [QUANTIZER_KEYS.projBias]: [e] };
  }

  /** The frozen codebook C (never trainable). */
  frozenParamNames(): readonly string[] {
    return [QUANTIZER_KEYS.codebook];
  }

  /** Spec §4.1: C ~ normal(0, codebookInitStd) frozen; W, b torch-default uniform (quant_in: see the base class). */
  protected initCodebookParams(store: ParamStore, rng: Rng): void {
    const { codebookSize: k, codebookDim: e, codebookInitStd } = this.config;
    store.add(QUANTIZER_KEYS.codebook, normalInit(rng.fork(QUANTIZER_KEYS.codebook), [k, e], codebookInitStd), { trainable: false });
    store.add(QUANTIZER_KEYS.projWeight, torchDefaultUniformInit(rng.fork(QUANTIZER_KEYS.projWeight), [e, e], e));
    store.add(QUANTIZER_KEYS.projBias, torchDefaultUniformInit(rng.fork(QUANTIZER_KEYS.projBias), [e], e));
  }

  /** Differentiable w.r.t. quant_in, W and b (and, through z, the encoder): see `codesOp`. */
  protected nearestCodes(store: ParamStore, z: tf.Tensor2D): { codes: tf.Tensor; indices: tf.Tensor1D } {
    const found = this.codesOp(store.get(QUANTIZER_KEYS.codebook));
    const codes = found.op(z, store.get(QUANTIZER_KEYS.projWeight), store.get(QUANTIZER_KEYS.projBias)); // [M, e] = C[idx]·Wᵀ + b, gradient to W and b only
    return { codes, indices: found.takeIndices() };
  }

  /** The projected codebook C' = C·Wᵀ + b `[k, e]`, cached until `invalidateCache` (the cache owns it). */
  projectedCodebook(store: ParamStore): tf.Tensor2D {
    if (this.cachedCodebook === null) {
      this.cachedCodebook = tf.tidy(() =>
        linear(store.get(QUANTIZER_KEYS.codebook), store.get(QUANTIZER_KEYS.projWeight), store.get(QUANTIZER_KEYS.projBias)),
      ) as tf.Tensor2D;
      tf.keep(this.cachedCodebook);
    }
    return this.cachedCodebook;
  }

  /** Drops cached C' with the search caches (call after changing W or b other than through `quantize`). */
  override invalidateCache(): void {
    super.invalidateCache();
    this.cachedCodebook?.dispose();
    this.cachedCodebook = null;
  }

  /**
   * Search + projection as ONE custom op over (z, W, b) → q = C[idx]·Wᵀ + b. Nothing inside is taped (the chunked
   * distance matrices are never kept for the backward pass) and the int32 indices never enter the tape (tfjs
   * rejects int gradients, and wasm has no gather gradient). Backward: dW = dqᵀ·C[idx], db = Σ dq, dz = 0 (q does
   * not depend on z differentiably; z gets its gradient through the straight-through path and the commitment term).
   * The indices leave through `takeIndices()`, which must be called once after the op ran.
   */
  private codesOp(codebook: tf.Tensor): { op: (z: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.Tensor; takeIndices: () => tf.Tensor1D } {
    const search = this.search;
    const handOff = indicesHandOff('SimVQ');
    const op = defineCustomOp('SimVQ.codes', 3, ([z, w, b], save) => {
      const zShape = z.shape;
      const found = tf.tidy(() => {
        // C'ᵀ = W·Cᵀ + b[:, None]: [e, e]·[e, k] plain matMul (the fast form on wasm).
        const codesT = tf.add(tf.matMul(w, tf.transpose(codebook)), tf.reshape(b, [-1, 1])) as tf.Tensor2D; // [e, k]
        const norms = codeNorms(codesT); // [k]
        const idx = nearestCodeIndices(z as tf.Tensor2D, codesT, norms, search); // [M]
        return { idx, rows: tf.gather(codebook, idx) }; // rows = C[idx] [M, e]
      });
      handOff.keep(found.idx);
      save([found.rows]);
      const value = tf.add(tf.matMul(found.rows, tf.transpose(w)), b); // [M, e]
      return {
        value,
        gradFunc: (dq, [rows]) => [tf.zeros(zShape), tf.matMul(tf.transpose(dq), rows), tf.sum(dq, 0)],
      };
    });
    return { op: (z, w, b) => op(z, w, b), takeIndices: handOff.take };
  }
}
