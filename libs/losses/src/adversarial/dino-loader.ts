import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, sha256File, shapeProblems } from '@vqrae/nn';
import { DinoVit } from './dino-vit.js';
import { DINO_VIT_S8, dinoVitShapes, type DinoVitConfig } from './dino-vit-weights.js';

/** A loaded DINO backbone and where it came from (for run provenance and `describe()`). */
export interface LoadedDinoVit {
  /** Owned by the caller; `dispose()` after the run. */
  network: DinoVit;
  /** `<path> (sha256 <hex>)`. */
  source: string;
  /** The file's `__metadata__` (from the converter: format `vqrae-dino-vit`, source file name and sha256, …). */
  metadata: Record<string, string>;
}

/** Metadata fields written by `tools/convert/dino_to_safetensors.py` that must agree with the config when present. */
const CONFIG_METADATA = {
  heads: 'heads',
  patch_size: 'patchSize',
  width: 'width',
  depth: 'depth',
  mlp_hidden: 'mlpHidden',
  image_size: 'imageSize',
} as const satisfies Record<string, keyof DinoVitConfig>;

/**
 * The architecture a converted file declares (all of `heads`, `patch_size`, `width`, `depth`, `mlp_hidden`,
 * `image_size` in its metadata, as the converter writes them), else DINO ViT-S/8. Taps at the quarter depths
 * (round(k·depth/4) − 1 for k = 1..4: ViT-S/8 and ViT-B/8 → blocks 2, 5, 8, 11, RAE's choice), so a converted
 * ViT-B/8 loads as itself.
 */
export function dinoConfigFromMetadata(metadata: Readonly<Record<string, string>>): DinoVitConfig {
  const fields = Object.keys(CONFIG_METADATA) as (keyof typeof CONFIG_METADATA)[];
  if (!fields.every((field) => metadata[field] !== undefined)) return DINO_VIT_S8;
  const value = (field: keyof typeof CONFIG_METADATA): number => Number(metadata[field]);
  const depth = value('depth');
  const taps = [...new Set([1, 2, 3, 4].map((k) => Math.max(0, Math.round((k * depth) / 4) - 1)))];
  return {
    ...DINO_VIT_S8,
    heads: value('heads'),
    patchSize: value('patch_size'),
    width: value('width'),
    depth,
    mlpHidden: value('mlp_hidden'),
    imageSize: value('image_size'),
    taps,
  };
}

/**
 * Loads a supplied DINO ViT from safetensors: the file written by `tools/convert/dino_to_safetensors.py` from the
 * official `dino_deitsmall8_pretrain.pth`, or any safetensors with the same (timm-style) key names. Strict: every
 * key of `dinoVitShapes(config)` must be present with its shape and nothing else may be in the file; metadata
 * fields `heads`, `patch_size`, `width`, `depth`, `mlp_hidden`, `image_size`, when present, must equal the config (the head count cannot be
 * read from the shapes). F16/BF16 files are widened to float32. The key third of every qkv bias is zeroed on load
 * (spec §7.5; see `copyDinoVitWeights`). Without `requested`, the architecture comes from `dinoConfigFromMetadata`.
 */
export async function loadDinoVit(path: string, requested?: DinoVitConfig): Promise<LoadedDinoVit> {
  const file = await SafetensorsFile.open(path);
  const named: Record<string, tf.Tensor> = {};
  try {
    const config = requested ?? dinoConfigFromMetadata(file.metadata);
    const problems: string[] = [];
    for (const [field, key] of Object.entries(CONFIG_METADATA)) {
      const stored = file.metadata[field];
      if (stored !== undefined && Number(stored) !== config[key]) problems.push(`metadata ${field}=${stored} but config.${key}=${config[key]}`);
    }
    // Strict check on the header alone (before reading any data): lists missing, unexpected and mis-shaped keys.
    const expected = dinoVitShapes(config);
    problems.push(...shapeProblems(expected, file.shapes()));
    if (problems.length > 0) throw new Error(problems.join('; '));
    for (const key of Object.keys(expected)) named[key] = await file.readTensor(key, { requireFinite: true, requireFloat: true });
    const network = DinoVit.fromNamedTensors(named, config);
    return { network, source: `${path} (sha256 ${await sha256File(path)})`, metadata: file.metadata };
  } catch (error) {
    throw new Error(`loadDinoVit(${path}): ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    tf.dispose(Object.values(named));
    await file.close();
  }
}
