/**
 * Plain vector quantizer with a LEARNABLE codebook (issue 17 item 3): the baseline SimVQ was designed to beat, written
 * after taming-transformers' `VectorQuantizer2` (VQGAN) with `legacy=False`. The same input projection `quant_in`
 * d→e as SimVQ, then the L2-nearest row of the codebook C `[k, e]` (key `quantizer.embedding.weight`, VQGAN's
 * `embedding.weight` under this model's quantizer prefix; init uniform(−1/k, 1/k) as VQGAN), straight-through
 * estimator, loss β·‖sg(q)−z‖² + ‖q−sg(z)‖². C is trained (stage 1 and 2) by the codebook term only.
 *
 * Gradient routing (works on wasm, which has no gather gradient): the search and the gather q = C[idx] run as one
 * custom op over (z, C) whose backward scatters dq into the used rows (dC = Σ_{i: idx_i = j} dq_i, a ScatterNd that
 * sums repeated indices); nothing inside it is taped, so the chunked distance matrices are never kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, type Rng, defineCustomOp, torchDefaultUniformInit } from '@vqrae/nn';
import type { QuantizerConfig } from '../config/types.js';
import { type NearestCodeOptions, codeNorms, nearestCodeIndices } from './nearest-code.js';
import { CodebookQuantizer, indicesHandOff, QUANT_IN_KEYS } from './quantize-common.js';

/** Checkpoint names of the VQ parameters: SimVQ's `quant_in`, and VQGAN's `embedding.weight` as the codebook. */
export const VQ_KEYS = {
  ...QUANT_IN_KEYS,
  codebook: 'quantizer.embedding.weight',
} as const;

/** Plain VQ bound to its config; parameters are read from the store at every call. */
export class VectorQuantizer extends CodebookQuantizer {
  readonly kind = 'vq' as const;

  constructor(config: QuantizerConfig, /** Encoder width d (input of quant_in). */ inputWidth: number, search: NearestCodeOptions = {}) {
    super('VectorQuantizer', config, inputWidth, search);
  }

  /** C `[k, e]`. */
  protected codebookParamShapes(): Record<string, number[]> {
    const { codebookSize: k, codebookDim: e } = this.config;
    return { [VQ_KEYS.codebook]: [k, e] };
  }

  /** None: the codebook is learned. */
  frozenParamNames(): readonly string[] {
    return [];
  }

  /** C ~ uniform(−1/k, 1/k) (VQGAN), trainable (quant_in: see the base class). */
  protected initCodebookParams(store: ParamStore, rng: Rng): void {
    const { codebookSize: k, codebookDim: e } = this.config;
    // torch-default uniform with fan-in k² has bound 1/√(k²) = 1/k: VQGAN's uniform_(−1/n_e, 1/n_e).
    store.add(VQ_KEYS.codebook, torchDefaultUniformInit(rng.fork(VQ_KEYS.codebook), [k, e], k * k));
  }

  /** Differentiable w.r.t. quant_in and C (and, through z, the encoder): see `codesOp`. */
  protected nearestCodes(store: ParamStore, z: tf.Tensor2D): { codes: tf.Tensor; indices: tf.Tensor1D } {
    const found = this.codesOp();
    const codes = found.op(z, store.get(VQ_KEYS.codebook)); // [M, e] = C[idx], gradient to C only
    return { codes, indices: found.takeIndices() };
  }

  /** The codebook C `[k, e]` itself (owned by the store). */
  projectedCodebook(store: ParamStore): tf.Tensor2D {
    return store.get(VQ_KEYS.codebook) as tf.Tensor2D;
  }

  /**
   * Search + gather as ONE custom op over (z, C) → q = C[idx]. Backward: dC = ScatterNd(idx, dq) `[k, e]` (rows of
   * codes used several times sum), dz = 0 (z gets its gradient through the straight-through path and the commitment
   * term). The int32 indices never enter the tape; they leave through `takeIndices()`, called once after the op.
   */
  private codesOp(): { op: (z: tf.Tensor, codebook: tf.Tensor) => tf.Tensor; takeIndices: () => tf.Tensor1D } {
    const search = this.search;
    const { codebookSize: k, codebookDim: e } = this.config;
    const handOff = indicesHandOff('VectorQuantizer');
    const op = defineCustomOp('VectorQuantizer.codes', 2, ([z, codebook], save) => {
      const zShape = z.shape;
      const idx = tf.tidy(() => {
        const codesT = tf.transpose(codebook) as tf.Tensor2D; // [e, k]
        return nearestCodeIndices(z as tf.Tensor2D, codesT, codeNorms(codesT), search); // [M]
      });
      handOff.keep(idx);
      save([idx]);
      return {
        value: tf.gather(codebook, idx), // [M, e]
        gradFunc: (dq, [saved]) => [
          tf.zeros(zShape),
          () => tf.scatterND(tf.reshape(saved, [-1, 1]), dq, [k, e]), // [M, 1] rows → [k, e], repeats summed
        ],
      };
    });
    return { op: (z, codebook) => op(z, codebook), takeIndices: handOff.take };
  }
}
