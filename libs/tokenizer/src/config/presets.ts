/**
 * Named configurations (spec §2.2, §11). Parameter counts below come from `countParams` (see the tokenizer tests).
 */
import type { SiglipEncoderConfig, VqraeConfig } from './types.js';
import { MOBILENETV2_NSFWJS_SOURCE } from './mobilenet-source.js';

/** SigLIP vision-tower shapes of known checkpoints (fixed resolution, HF model_type "siglip"). */
export const SIGLIP_ENCODER_PRESETS = {
  /** google/siglip2-so400m-patch16-256: 412.6 M params without the MAP head, 256 tokens of width 1152. */
  'siglip2-so400m-patch16-256': {
    kind: 'siglip-vit', imageSize: 256, patchSize: 16, numChannels: 3, hiddenSize: 1152, numLayers: 27, numHeads: 16,
    intermediateSize: 4304, activation: 'gelu_tanh', layerNormEps: 1e-6, postLnAffine: true,
  },
  /** google/siglip2-base-patch16-256: 85.8 M params without the MAP head, 256 tokens of width 768. */
  'siglip2-base-patch16-256': {
    kind: 'siglip-vit', imageSize: 256, patchSize: 16, numChannels: 3, hiddenSize: 768, numLayers: 12, numHeads: 12,
    intermediateSize: 3072, activation: 'gelu_tanh', layerNormEps: 1e-6, postLnAffine: true,
  },
  /** Tiny SigLIP-architecture tower for tests (spec §2.2): 32 px, p 4, 64 tokens of width 64. */
  tiny: {
    kind: 'siglip-vit', imageSize: 32, patchSize: 4, numChannels: 3, hiddenSize: 64, numLayers: 2, numHeads: 4,
    intermediateSize: 256, activation: 'gelu_tanh', layerNormEps: 1e-6, postLnAffine: true,
  },
} as const satisfies Record<string, SiglipEncoderConfig>;

/** Names of the SigLIP encoder presets. */
export type SiglipEncoderPresetName = keyof typeof SIGLIP_ENCODER_PRESETS;

/** Whole-model presets. */
export const VQRAE_PRESETS = {
  /**
   * Tests (spec §2.2 tiny): 32 px → 64 tokens of 9 bits (k = 512, e = 96). Params: encoder 107,328 (random tiny
   * SigLIP), quant_in + W, b 15,552, C 49,152 (frozen), decoder 109,488 (D 64 × 2 layers); total 281,520.
   */
  tiny: {
    format: 'vqrae/1',
    preset: 'tiny',
    encoder: SIGLIP_ENCODER_PRESETS.tiny,
    quantizer: { codebookSize: 512, codebookDim: 96, beta: 0.25, codebookInitStd: 96 ** -0.5 },
    decoder: { hiddenSize: 64, numLayers: 2, numHeads: 4, intermediateSize: 256, patchSize: 4, activation: 'gelu', layerNormEps: 1e-12 },
  },
  /**
   * CPU demo on the embedded pretrained encoder: 224 px → 196 tokens of 10 bits (k = 1024, e = 256); MobileNetV2
   * (nsfwjs) cut at block_13_expand_relu (frozen), decoder D 192 × 4 layers, patch 16 → 224 px output. Params:
   * encoder 616,256 (pretrained, frozen), quant_in + W, b 213,504, C 262,144 (frozen), decoder 1,977,600; trainable
   * in stage 1: 2.19 M.
   */
  'small-cpu': {
    format: 'vqrae/1',
    preset: 'small-cpu',
    encoder: { kind: 'mobilenetv2-imagenet-stride16', imageSize: 224, layer: 'block_13_expand_relu', source: MOBILENETV2_NSFWJS_SOURCE },
    quantizer: { codebookSize: 1024, codebookDim: 256, beta: 0.25, codebookInitStd: 256 ** -0.5 },
    decoder: { hiddenSize: 192, numLayers: 4, numHeads: 3, intermediateSize: 768, patchSize: 16, activation: 'gelu', layerNormEps: 1e-12 },
  },
  /**
   * Paper setting: SigLIP2-so400m-patch16-256 encoder, 256 tokens of 14 bits (k = 16384, e = 1536), "symmetric"
   * decoder (1152, 27 layers, 16 heads, 4304). Params: encoder 412.65 M, quant_in + W, b 4.13 M, C 25.17 M (frozen),
   * decoder 414.13 M; total 856.07 M.
   */
  'siglip2-so400m-p16-256-c16384': {
    format: 'vqrae/1',
    preset: 'siglip2-so400m-p16-256-c16384',
    encoder: SIGLIP_ENCODER_PRESETS['siglip2-so400m-patch16-256'],
    quantizer: { codebookSize: 16384, codebookDim: 1536, beta: 0.25, codebookInitStd: 1536 ** -0.5 },
    decoder: { hiddenSize: 1152, numLayers: 27, numHeads: 16, intermediateSize: 4304, patchSize: 16, activation: 'gelu', layerNormEps: 1e-12 },
  },
} as const satisfies Record<string, VqraeConfig>;

/** Names of the whole-model presets. */
export type VqraePresetName = keyof typeof VQRAE_PRESETS;

/** The config of a preset; throws listing the known names. */
export function presetConfig(name: string): VqraeConfig {
  if (!(name in VQRAE_PRESETS)) {
    throw new Error(`presetConfig: unknown preset '${name}' (known: ${Object.keys(VQRAE_PRESETS).join(', ')})`);
  }
  return VQRAE_PRESETS[name as VqraePresetName];
}
