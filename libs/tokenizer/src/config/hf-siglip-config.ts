/**
 * Hugging Face `config.json` → SigLIP encoder config (spec §3.1-§3.2). Accepts a `SiglipConfig` (model_type
 * "siglip", vision tower under `vision_config`) or a `SiglipVisionConfig` (model_type "siglip_vision_model").
 * Fixed-resolution SigLIP2 checkpoints use these classes; NaFlex ("siglip2") is rejected.
 */
import type { Activation, SiglipEncoderConfig } from './types.js';

/** HF SiglipVisionConfig defaults (used when a key is absent from config.json). */
const HF_VISION_DEFAULTS = {
  hidden_size: 768,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_attention_heads: 12,
  num_channels: 3,
  image_size: 224,
  patch_size: 16,
  hidden_act: 'gelu_pytorch_tanh',
  layer_norm_eps: 1e-6,
} as const;

function hfActivation(name: unknown, where: string): Activation {
  if (name === 'gelu_pytorch_tanh' || name === 'gelu_new' || name === 'gelu_fast') return 'gelu_tanh';
  if (name === 'gelu') return 'gelu';
  throw new Error(`${where}: unsupported hidden_act ${JSON.stringify(name)} (expected gelu_pytorch_tanh or gelu)`);
}

function numberOr(source: Record<string, unknown>, key: keyof typeof HF_VISION_DEFAULTS, where: string): number {
  const value = source[key] ?? HF_VISION_DEFAULTS[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${where}: vision config '${key}' must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Parses the JSON of a HF SigLIP `config.json`. `postLnAffine` is not part of HF configs: pass the choice (spec §3.5,
 * default true = HF standard output). `source` names the file in error messages.
 */
export function siglipConfigFromHf(json: unknown, opts: { postLnAffine?: boolean; source?: string } = {}): SiglipEncoderConfig {
  const where = `siglipConfigFromHf(${opts.source ?? 'config.json'})`;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`${where}: not a JSON object`);
  const root = json as Record<string, unknown>;
  const modelType = root.model_type;
  if (modelType === 'siglip2' || modelType === 'siglip2_vision_model') {
    throw new Error(`${where}: model_type '${String(modelType)}' is SigLIP2 NaFlex (variable resolution); only fixed-resolution checkpoints (model_type 'siglip', e.g. google/siglip2-so400m-patch16-256) are supported`);
  }
  let vision: Record<string, unknown>;
  if (modelType === 'siglip' || root.vision_config !== undefined) {
    const nested = root.vision_config;
    if (typeof nested !== 'object' || nested === null) throw new Error(`${where}: SiglipConfig without a 'vision_config' object`);
    vision = nested as Record<string, unknown>;
  } else if (modelType === 'siglip_vision_model' || modelType === undefined) {
    vision = root;
  } else {
    throw new Error(`${where}: unsupported model_type ${JSON.stringify(modelType)} (expected 'siglip' or 'siglip_vision_model')`);
  }
  const config: SiglipEncoderConfig = {
    kind: 'siglip-vit',
    imageSize: numberOr(vision, 'image_size', where),
    patchSize: numberOr(vision, 'patch_size', where),
    numChannels: 3,
    hiddenSize: numberOr(vision, 'hidden_size', where),
    numLayers: numberOr(vision, 'num_hidden_layers', where),
    numHeads: numberOr(vision, 'num_attention_heads', where),
    intermediateSize: numberOr(vision, 'intermediate_size', where),
    activation: hfActivation(vision.hidden_act ?? HF_VISION_DEFAULTS.hidden_act, where),
    layerNormEps: numberOr(vision, 'layer_norm_eps', where),
    postLnAffine: opts.postLnAffine ?? true,
  };
  if (numberOr(vision, 'num_channels', where) !== 3) throw new Error(`${where}: num_channels must be 3`);
  if (config.imageSize % config.patchSize !== 0) {
    throw new Error(`${where}: image_size ${config.imageSize} is not a multiple of patch_size ${config.patchSize}`);
  }
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new Error(`${where}: hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numHeads}`);
  }
  return config;
}
