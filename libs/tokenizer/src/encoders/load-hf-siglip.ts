/**
 * Loads a fixed-resolution SigLIP vision tower from a Hugging Face folder (`config.json` + `model.safetensors`),
 * reading only `vision_model.*` (the text tower, logit scale/bias and the MAP head are skipped) with strict name and
 * shape checks. F32/F16/BF16 files are accepted (converted to float32).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ParamStore, SafetensorsFile, checkShapes } from '@vqrae/nn';
import { siglipConfigFromHf } from '../config/hf-siglip-config.js';
import type { SiglipEncoderConfig } from '../config/types.js';
import { SIGLIP_HEAD_PREFIX, SIGLIP_PREFIX } from './siglip-keys.js';
import { SiglipEncoder } from './siglip-encoder.js';

/** Where the HF files are: a folder with the standard names, or explicit paths. */
export type HfSiglipSource = { readonly dir: string; readonly weightsFile?: string } | { readonly configPath: string; readonly weightsPath: string };

/** A loaded SigLIP tower: its config and a store (owned by the caller) holding the `vision_model.*` parameters. */
export interface LoadedSiglip {
  readonly config: SiglipEncoderConfig;
  readonly encoder: SiglipEncoder;
  readonly params: ParamStore;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/**
 * Reads `vision_model.*` tensors of `file` into `store` (frozen unless `trainable`), after checking the names and
 * shapes against `encoder.paramShapes()` in one error listing missing / unexpected / mismatched keys.
 */
export async function readSiglipWeights(file: SafetensorsFile, encoder: SiglipEncoder, store: ParamStore, opts: { trainable: boolean; context: string }): Promise<void> {
  const keys = file.keys(SIGLIP_PREFIX).filter((key) => !key.startsWith(SIGLIP_HEAD_PREFIX));
  const actual: Record<string, number[]> = {};
  for (const key of keys) {
    const info = file.info(key);
    if (!FLOAT_DTYPES.has(info.dtype)) throw new Error(`${opts.context}: tensor '${key}' has dtype ${info.dtype}; expected F32, F16 or BF16`);
    actual[key] = [...info.shape];
  }
  checkShapes(encoder.paramShapes(), actual, opts.context);
  for (const key of keys) store.add(key, await file.readTensor(key, { requireFinite: true }), { trainable: opts.trainable });
}

/**
 * Loads the vision tower of a HF SigLIP checkpoint. `postLnAffine` selects Z_I with (default) or without the
 * post-LayerNorm affine (spec §3.5).
 */
export async function loadHfSiglip(source: HfSiglipSource, opts: { postLnAffine?: boolean; trainable?: boolean } = {}): Promise<LoadedSiglip> {
  const configPath = 'dir' in source ? path.join(source.dir, 'config.json') : source.configPath;
  const weightsPath = 'dir' in source ? path.join(source.dir, source.weightsFile ?? 'model.safetensors') : source.weightsPath;
  const json: unknown = JSON.parse(await readFile(configPath, 'utf8'));
  const config = siglipConfigFromHf(json, { postLnAffine: opts.postLnAffine, source: configPath });
  const encoder = new SiglipEncoder(config);
  const file = await SafetensorsFile.open(weightsPath);
  const params = new ParamStore();
  try {
    await readSiglipWeights(file, encoder, params, { trainable: opts.trainable ?? false, context: `loadHfSiglip(${weightsPath})` });
  } catch (error) {
    params.dispose();
    throw error;
  } finally {
    await file.close();
  }
  return { config, encoder, params };
}
