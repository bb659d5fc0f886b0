/** The contract every VQRAE encoder (SigLIP ViT, MobileNetV2 adapter) fulfils. */
import type * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import type { EncoderConfig, EncoderGeometry } from '../config/types.js';

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
}
