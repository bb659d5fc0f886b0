/** The contract every VQRAE encoder (SigLIP ViT, MobileNetV2 adapter) fulfils. */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import type { EncoderConfig, EncoderGeometry } from '../config/types.js';

/** One intermediate feature map an encoder can expose. */
export interface FeatureTap {
  /** Tap name accepted by `features` (SigLIP `layer.3`, MobileNetV2 `block_5_add`, every encoder `final`). */
  readonly name: string;
  /** Token count N_l at `geometry.imageSize` (spatial maps: H·W, row-major). */
  readonly tokens: number;
  /** Token width C_l. */
  readonly channels: number;
}

/** What a default tap selection is for: `enc-perceptual` (spec §8.6) or the `E_T-disc` heads (spec §7.5). */
export type FeatureUse = 'perceptual' | 'discriminator';

/** A stateless encoder bound to its config; its parameters live in a ParamStore under `paramPrefix`. */
export interface ImageEncoder {
  readonly config: EncoderConfig;
  readonly geometry: EncoderGeometry;
  /** Every parameter name of this encoder starts with this prefix. */
  readonly paramPrefix: string;
  /** Expected parameter name → shape. */
  paramShapes(): Record<string, number[]>;
  /** Whether a parameter of this encoder may be trained in stage 2 (false e.g. for batch-norm moving statistics). */
  isTrainableParam(name: string): boolean;
  /**
   * pixel01 NHWC `[B, S, S, 3]` (S = geometry.imageSize) → continuous features Z_I `[B, N, d]`. Normalisation
   * happens inside. Differentiable w.r.t. the encoder's trainable parameters. Caller owns input and result.
   */
  encode(store: ParamStore, images: tf.Tensor4D): tf.Tensor3D;
  /** Every tap `features` accepts, shallow → deep, with token count and width at geometry.imageSize (config only). */
  featureTaps(): readonly FeatureTap[];
  /**
   * Default taps (config only, no weights): 'perceptual' = 3 depths (SigLIP: layers round(L/3), round(2L/3), L,
   * deduplicated → so400m 9, 18, 27; tiny 1, 2); 'discriminator' = the perceptual taps + 'final', without listing
   * the same map twice (spec §7.5 E_T-disc: tiny → layer.1, layer.2, final).
   */
  defaultTaps(use: FeatureUse): readonly string[];
  /**
   * pixel01 `[B, S, S, 3]` → one `[B, N_l, C_l]` tensor per requested tap, in the requested order (a tap requested
   * twice, or a tap and its alias, gives distinct tensors). Runs the network only as deep as the deepest requested
   * tap. Differentiable w.r.t. the images (gradients reach the input even when every encoder parameter is frozen)
   * and w.r.t. trainable encoder parameters. Caller owns input and outputs. An unknown tap throws naming the
   * encoder and listing the valid taps. `features(store, x, ['final'])[0]` equals `encode(store, x)` exactly.
   */
  features(store: ParamStore, images: tf.Tensor4D, taps: readonly string[]): tf.Tensor3D[];
}
