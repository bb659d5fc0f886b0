/**
 * Checkpoint key names and shapes of the fixed-resolution SigLIP vision tower (HF module names, spec §3.6).
 * The MAP head (`vision_model.head.*`) is not used by the tokenizer: loaders skip it; it is never written.
 */
import type { SiglipEncoderConfig } from '../config/types.js';

/** Key prefix of the vision tower in HF `SiglipModel` / `SiglipVisionModel` files and in VQRAE checkpoints. */
export const SIGLIP_PREFIX = 'vision_model.';

/** Prefix of the attention-pooling head the tokenizer ignores. */
export const SIGLIP_HEAD_PREFIX = 'vision_model.head.';

/** Names of one encoder layer's parameters. */
export function siglipLayerKeys(layer: number, prefix = SIGLIP_PREFIX) {
  const base = `${prefix}encoder.layers.${layer}.`;
  return {
    norm1: { weight: `${base}layer_norm1.weight`, bias: `${base}layer_norm1.bias` },
    q: { weight: `${base}self_attn.q_proj.weight`, bias: `${base}self_attn.q_proj.bias` },
    k: { weight: `${base}self_attn.k_proj.weight`, bias: `${base}self_attn.k_proj.bias` },
    v: { weight: `${base}self_attn.v_proj.weight`, bias: `${base}self_attn.v_proj.bias` },
    o: { weight: `${base}self_attn.out_proj.weight`, bias: `${base}self_attn.out_proj.bias` },
    norm2: { weight: `${base}layer_norm2.weight`, bias: `${base}layer_norm2.bias` },
    fc1: { weight: `${base}mlp.fc1.weight`, bias: `${base}mlp.fc1.bias` },
    fc2: { weight: `${base}mlp.fc2.weight`, bias: `${base}mlp.fc2.bias` },
  };
}

/** Names of the non-layer parameters. */
export function siglipStemKeys(prefix = SIGLIP_PREFIX) {
  return {
    patchWeight: `${prefix}embeddings.patch_embedding.weight`,
    patchBias: `${prefix}embeddings.patch_embedding.bias`,
    position: `${prefix}embeddings.position_embedding.weight`,
    postNorm: { weight: `${prefix}post_layernorm.weight`, bias: `${prefix}post_layernorm.bias` },
  };
}

/** Every parameter of the tower (without MAP head) → shape, in checkpoint order. */
export function siglipParamShapes(c: SiglipEncoderConfig, prefix = SIGLIP_PREFIX): Record<string, number[]> {
  const d = c.hiddenSize;
  const grid = c.imageSize / c.patchSize;
  const stem = siglipStemKeys(prefix);
  const shapes: Record<string, number[]> = {
    [stem.patchWeight]: [d, c.numChannels, c.patchSize, c.patchSize], // OIHW
    [stem.patchBias]: [d],
    [stem.position]: [grid * grid, d],
  };
  for (let l = 0; l < c.numLayers; l++) {
    const k = siglipLayerKeys(l, prefix);
    shapes[k.norm1.weight] = [d];
    shapes[k.norm1.bias] = [d];
    for (const proj of [k.q, k.k, k.v, k.o]) {
      shapes[proj.weight] = [d, d];
      shapes[proj.bias] = [d];
    }
    shapes[k.norm2.weight] = [d];
    shapes[k.norm2.bias] = [d];
    shapes[k.fc1.weight] = [c.intermediateSize, d];
    shapes[k.fc1.bias] = [c.intermediateSize];
    shapes[k.fc2.weight] = [d, c.intermediateSize];
    shapes[k.fc2.bias] = [d];
  }
  shapes[stem.postNorm.weight] = [d];
  shapes[stem.postNorm.bias] = [d];
  return shapes;
}
