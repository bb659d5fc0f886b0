/**
 * Resolved, JSON-serialisable configuration of a VQRAE model (model-spec §2, §11). A checkpoint stores exactly this
 * record in its metadata (`vqrae.config`), so the checkpoint alone rebuilds its model.
 */

/** Activation of a transformer MLP: exact erf GELU or the tanh approximation (HF `gelu_pytorch_tanh`). */
export type Activation = 'gelu' | 'gelu_tanh';

/** Fixed-resolution SigLIP ViT vision tower (HF `SiglipVisionModel`, keys `vision_model.*`), spec §3. */
export interface SiglipEncoderConfig {
  readonly kind: 'siglip-vit';
  readonly imageSize: number;
  readonly patchSize: number;
  readonly numChannels: 3;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  readonly activation: Activation;
  readonly layerNormEps: number;
  /** true: Z_I = post_layernorm with its affine (HF standard); false: plain normalisation (RAE style). */
  readonly postLnAffine: boolean;
}

/** Identity of the pretrained weights the MobileNetV2 adapter reads from an installed npm package. */
export interface PackagedWeightsSource {
  readonly package: 'nsfwjs';
  readonly version: string;
  readonly model: 'MobileNetV2';
  /** sha256 of the decoded weight bytes, checked when the weights are loaded again. */
  readonly sha256: string;
}

/**
 * ImageNet-initialised MobileNetV2 (as shipped, fine-tuned for NSFW classification, inside the `nsfwjs` package) cut
 * at `block_13_expand_relu`: a stride-16 feature map used as the token grid. Not SigLIP; an embedded stand-in that
 * needs no download.
 */
export interface MobileNetV2EncoderConfig {
  readonly kind: 'mobilenetv2-imagenet-stride16';
  readonly imageSize: 224;
  readonly layer: 'block_13_expand_relu';
  readonly source: PackagedWeightsSource;
}

/** Encoder variants (discriminated by `kind`). */
export type EncoderConfig = SiglipEncoderConfig | MobileNetV2EncoderConfig;

/** SimVQ quantizer with input projection d→e (spec §4). */
export interface QuantizerConfig {
  /** Quantizer variant; absent = 'simvq'. */
  readonly kind?: 'simvq' | 'vq';
  readonly codebookSize: number;
  readonly codebookDim: number;
  /** Commitment weight β in β·‖sg(q)−z‖² + ‖q−sg(z)‖². */
  readonly beta: number;
  /** Std of the frozen normal codebook init (SimVQ: e^-0.5). */
  readonly codebookInitStd: number;
}

/** RAE-layout ViT decoder (spec §5). */
export interface DecoderConfig {
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  /** Output patch size: the decoded image side is patchSize · encoder grid side. */
  readonly patchSize: number;
  readonly activation: Activation;
  readonly layerNormEps: number;
}

/** Whole model. */
export interface VqraeConfig {
  readonly format: 'vqrae/1';
  /** Preset this config came from (informational). */
  readonly preset: string;
  readonly encoder: EncoderConfig;
  readonly quantizer: QuantizerConfig;
  readonly decoder: DecoderConfig;
}

/** Geometry every encoder exposes: input side, token grid, token width, input normalisation. */
export interface EncoderGeometry {
  /** Input image side in pixels (square). */
  readonly imageSize: number;
  /** Token grid side g (N = g²). */
  readonly gridSize: number;
  /** Token width d. */
  readonly width: number;
  /** Per-channel normalisation x_n = (pixel01 − mean)/std applied inside the encoder; the decoder inverts it. */
  readonly pixelMean: readonly [number, number, number];
  readonly pixelStd: readonly [number, number, number];
}

/** Geometry of an encoder config (no weights needed). */
export function encoderGeometry(config: EncoderConfig): EncoderGeometry {
  switch (config.kind) {
    case 'siglip-vit':
      return {
        imageSize: config.imageSize,
        gridSize: config.imageSize / config.patchSize,
        width: config.hiddenSize,
        pixelMean: [0.5, 0.5, 0.5],
        pixelStd: [0.5, 0.5, 0.5],
      };
    case 'mobilenetv2-imagenet-stride16':
      // nsfwjs feeds its MobileNetV2 with pixel01 (it divides by 255 only).
      return { imageSize: 224, gridSize: 14, width: 576, pixelMean: [0, 0, 0], pixelStd: [1, 1, 1] };
  }
}

/** Output image side of the decoder for a config. */
export function decodedImageSize(config: VqraeConfig): number {
  return encoderGeometry(config.encoder).gridSize * config.decoder.patchSize;
}
