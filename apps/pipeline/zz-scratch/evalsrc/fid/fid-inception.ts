import type * as tf from '@tensorflow/tfjs-core';
import { sha256File } from '@vqrae/nn';
import type { FeatureExtractor, FeatureSpace } from './feature-space.js';
import { fidInceptionArchitecture, type InceptionArchitecture } from './inception-architecture.js';
import { fidInceptionForward } from './inception-forward.js';
import { disposeFoldedConvs, loadFidInceptionWeights, type FoldedConv } from './inception-weights.js';
import { preprocessForFid, type FidInputVariant, type FidPixelRange } from './input-variants.js';

/** Options of {@link FidInception.load}. */
export interface FidInceptionOptions {
  /** Input handling (model-spec.md §8.5.2); default `torch-fidelity`. */
  readonly variant?: FidInputVariant;
  /** Channel divisor for width-reduced test networks; default 1 (the real network). Never use ≠ 1 for reporting. */
  readonly widthDivisor?: number;
}

/**
 * FID-Inception-v3 (pytorch-fid / torch-fidelity definition) as a {@link FeatureExtractor}: images → 2048-d pool3.
 * Owns its folded weights until {@link dispose}.
 */
export class FidInception implements FeatureExtractor {
  private constructor(
    readonly architecture: InceptionArchitecture,
    private readonly weights: Map<string, FoldedConv>,
    readonly variant: FidInputVariant,
    readonly weightsSha256: string,
  ) {}

  /**
   * Loads converted weights (safetensors with torchvision key names; produce them with
   * `tools/convert/fid_inception_to_safetensors.py`). Names and shapes are checked strictly.
   */
  static async load(weightsPath: string, options: FidInceptionOptions = {}): Promise<FidInception> {
    const architecture = fidInceptionArchitecture(options.widthDivisor ?? 1);
    const [weights, sha] = await Promise.all([loadFidInceptionWeights(weightsPath, architecture), sha256File(weightsPath)]);
    return new FidInception(architecture, weights, options.variant ?? 'torch-fidelity', sha);
  }

  get featureDim(): number {
    return this.architecture.featureDim;
  }

  get space(): FeatureSpace {
    if (this.architecture.widthDivisor !== 1) {
      return { kind: 'named', name: `fid-inception-width-1of${this.architecture.widthDivisor}`, description: 'width-reduced test network' };
    }
    return { kind: 'fid-inception', variant: this.variant, weightsSha256: this.weightsSha256 };
  }

  /** Network-ready input [B, 299, 299, 3] → features [B, featureDim]; the caller owns the result. */
  forward(networkInput: tf.Tensor4D): tf.Tensor2D {
    return fidInceptionForward(networkInput, this.architecture, this.weights);
  }

  /** Images [B, H, W, 3] in `range` → features [B, featureDim] with this model's input variant. */
  async extract(images: tf.Tensor4D, range: FidPixelRange): Promise<tf.Tensor2D> {
    return this.extractWith(images, range, this.variant);
  }

  /** Like {@link extract} with an explicit input variant (e.g. to compare variants on one loaded network). */
  async extractWith(images: tf.Tensor4D, range: FidPixelRange, variant: FidInputVariant): Promise<tf.Tensor2D> {
    const input = await preprocessForFid(images, variant, range);
    try {
      return this.forward(input);
    } finally {
      input.dispose();
    }
  }

  dispose(): void {
    disposeFoldedConvs(this.weights);
  }
}
