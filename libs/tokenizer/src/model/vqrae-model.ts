/**
 * The VQRAE tokenizer (spec §2): encoder → quant_in → SimVQ (or plain VQ, `quantizer.kind`) → ViT decoder, with all parameters in one ParamStore
 * under checkpoint names (`vision_model.*` or the adapter's prefix, `quant_in.*`, `quantizer.*`, `decoder.*`).
 *
 * Ownership: the model owns its ParamStore and caches (`dispose()` frees them). Every method returns fresh tensors
 * the caller owns; inputs are never disposed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import type { VqraeConfig } from '../config/types.js';
import { VitDecoder } from '../decoder/vit-decoder.js';
import type { ImageEncoder } from '../encoders/image-encoder.js';
import type { QuantizeResult, Quantizer } from '../quantizer/quantizer.js';
import { createQuantizer } from '../quantizer/quantizer-factory.js';
import type { NearestCodeOptions } from '../quantizer/nearest-code.js';

/** Training stage: 1 = encoder frozen, 2 = encoder trainable. SimVQ's codebook C is never trainable (VQ's always is). */
export type TrainingStage = 'stage1' | 'stage2';

/** Result of `encode`; the caller owns every tensor. */
export type EncodeResult = {
  /** Continuous encoder features Z_I `[B, N, d]`. */
  readonly features: tf.Tensor3D;
  /** Code indices int32 `[B, N]`. */
  readonly indices: tf.Tensor2D;
  /** Straight-through codes `[B, N, e]` (value = C'[indices]). */
  readonly quantized: tf.Tensor3D;
};

/** Result of the training forward `forward`; the caller owns every tensor. */
export type ForwardResult = {
  readonly features: tf.Tensor3D;
  readonly quantization: QuantizeResult;
  /** Decoded pixel01 images `[B, S, S, 3]` (not clamped). */
  readonly reconstruction: tf.Tensor4D;
};

/** VQRAE model bound to a config and a parameter store. */
export class VqraeModel {
  readonly quantizer: Quantizer;
  readonly decoder: VitDecoder;
  private currentStage: TrainingStage = 'stage1';
  /** True once the encoder has been trainable (its weights may differ from the pretrained source). */
  private encoderWasTrainable = false;

  constructor(
    readonly config: VqraeConfig,
    readonly encoder: ImageEncoder,
    /** Owned by the model. */
    readonly params: ParamStore,
    opts: { search?: NearestCodeOptions } = {},
  ) {
    this.quantizer = createQuantizer(config.quantizer, encoder.geometry.width, opts.search);
    this.decoder = new VitDecoder(config.decoder, config.quantizer.codebookDim, encoder.geometry);
    this.setStage('stage1');
  }

  /** Every expected parameter name → shape (encoder, quantizer, decoder). */
  paramShapes(): Record<string, number[]> {
    return { ...this.encoder.paramShapes(), ...this.quantizer.paramShapes(), ...this.decoder.paramShapes() };
  }

  /** Input image side of the encoder. */
  get inputSize(): number {
    return this.encoder.geometry.imageSize;
  }

  /** Output image side of the decoder (grid side × decoder patch). */
  get outputSize(): number {
    return this.decoder.imageSize;
  }

  /** Tokens per image (N = g²). */
  get tokensPerImage(): number {
    return this.encoder.geometry.gridSize ** 2;
  }

  /** Current stage. */
  get stage(): TrainingStage {
    return this.currentStage;
  }

  /** Whether the encoder weights may differ from their pretrained source (it has been trainable at some point). */
  get encoderModified(): boolean {
    return this.encoderWasTrainable;
  }

  /**
   * Selects the trainable set: stage1 = quant_in, W, b (VQ: the codebook), decoder; stage2 = the same plus the
   * encoder. SimVQ's codebook C, the decoder's sin-cos table and encoder statistics the encoder marks as fixed (e.g. batch-norm moving stats)
   * stay frozen in both.
   */
  setStage(stage: TrainingStage): void {
    const encoderPrefix = this.encoder.paramPrefix;
    const encoderTrainable = stage === 'stage2';
    const frozenAlways = new Set<string>([...this.quantizer.frozenParamNames(), `${this.decoder.paramPrefix}decoder_pos_embed`]);
    const trainable = (name: string): boolean => {
      if (frozenAlways.has(name)) return false;
      if (name.startsWith(encoderPrefix)) return encoderTrainable && this.encoder.isTrainableParam(name);
      return true;
    };
    this.params.setTrainable((name) => !trainable(name), false);
    this.params.setTrainable(trainable, true);
    this.encoderWasTrainable ||= encoderTrainable;
    this.currentStage = stage;
  }

  /** Trainable variables of the current stage (views owned by the store). */
  trainableVariables(): Map<string, tf.Variable> {
    return this.params.trainableVariables();
  }

  /** Continuous features Z_I `[B, N, d]` of pixel01 images `[B, S, S, 3]`. */
  features(images: tf.Tensor4D): tf.Tensor3D {
    return this.encoder.encode(this.params, images);
  }

  /** Training forward: features, quantization (codes, indices, named losses, counts) and reconstruction. */
  forward(images: tf.Tensor4D): ForwardResult {
    return tf.tidy(() => {
      const features = this.encoder.encode(this.params, images); // [B, N, d]
      const quantization = this.quantizer.quantize(this.params, features);
      const reconstruction = this.decoder.decode(this.params, quantization.quantized); // [B, S, S, 3]
      return { features, quantization, reconstruction };
    });
  }

  /**
   * Inference: pixel01 images → { features, indices, quantized } with the cached projected codebook (no losses, no
   * per-call C' recomputation; `quantized` = C'[indices]). For training use `forward`.
   */
  encode(images: tf.Tensor4D): EncodeResult {
    return tf.tidy(() => {
      const features = this.encoder.encode(this.params, images);
      const indices = this.quantizer.indicesFor(this.params, features);
      const quantized = this.quantizer.lookup(this.params, indices) as tf.Tensor3D;
      return { features, indices, quantized };
    });
  }

  /** Code indices int32 `[B, N]` → pixel01 images `[B, S, S, 3]` via the cached projected codebook. */
  decode(indices: tf.Tensor2D): tf.Tensor4D {
    if (indices.rank !== 2 || indices.shape[1] !== this.tokensPerImage) {
      throw new Error(`VqraeModel.decode: expected indices [B, ${this.tokensPerImage}], got [${indices.shape.join(', ')}]`);
    }
    return tf.tidy(() => this.decoder.decode(this.params, this.quantizer.lookup(this.params, indices) as tf.Tensor3D));
  }

  /** Images → indices only (inference; cached C', no losses). */
  tokenize(images: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const features = this.encoder.encode(this.params, images);
      return this.quantizer.indicesFor(this.params, features);
    });
  }

  /** encode then decode: pixel01 images → reconstructed pixel01 images. */
  reconstruct(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.decode(this.tokenize(images)));
  }

  /** Frees parameters and caches. */
  dispose(): void {
    this.quantizer.dispose();
    this.params.dispose();
  }
}
