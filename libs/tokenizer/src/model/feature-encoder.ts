/**
 * The continuous-feature path (Z_I, "understanding") on its own, opened from a Hugging Face SigLIP folder or from a
 * VQRAE checkpoint (its encoder only) — what a feature dumper needs: input size, grid, width, provenance, and
 * `encode` with optional mean pooling.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, sha256File } from '@vqrae/nn';
import type { EncoderConfig, EncoderGeometry } from '../config/types.js';
import type { ImageEncoder } from '../encoders/image-encoder.js';
import { loadHfSiglip } from '../encoders/load-hf-siglip.js';
import { loadCheckpoint } from './checkpoint.js';

/** Where the encoder comes from. */
export type FeatureSource =
  | { readonly kind: 'hf'; readonly dir: string; readonly postLnAffine?: boolean }
  | { readonly kind: 'checkpoint'; readonly path: string };

/** Token features `[B, N, d]` or their mean over tokens `[B, d]`. */
export type FeaturePooling = 'none' | 'mean';

/** An opened encoder; owns its weights (`dispose()` frees them). */
export interface FeatureEncoder {
  readonly config: EncoderConfig;
  readonly geometry: EncoderGeometry;
  /** Provenance for artifact metadata: source kind, path and sha256 of the weights file. */
  readonly identity: { readonly source: FeatureSource['kind']; readonly path: string; readonly sha256: string };
  /** pixel01 `[B, S, S, 3]` → `[B, N, d]` (pool 'none') or `[B, d]` (pool 'mean'). Caller owns the result. */
  encode(images: tf.Tensor4D, pool: FeaturePooling): tf.Tensor;
  dispose(): void;
}

function wrap(encoder: ImageEncoder, params: ParamStore, identity: FeatureEncoder['identity'], release: () => void): FeatureEncoder {
  return {
    config: encoder.config,
    geometry: encoder.geometry,
    identity,
    encode(images, pool) {
      if (pool === 'none') return encoder.encode(params, images);
      return tf.tidy(() => tf.mean(encoder.encode(params, images), 1)); // [B, d]
    },
    dispose: release,
  };
}

/** Opens the encoder of `source` (frozen). */
export async function openFeatureEncoder(source: FeatureSource): Promise<FeatureEncoder> {
  if (source.kind === 'hf') {
    const weights = path.join(source.dir, 'model.safetensors');
    const loaded = await loadHfSiglip({ dir: source.dir }, { postLnAffine: source.postLnAffine });
    const identity = { source: source.kind, path: weights, sha256: await sha256File(weights) };
    return wrap(loaded.encoder, loaded.params, identity, () => loaded.params.dispose());
  }
  const model = await loadCheckpoint(source.path);
  const identity = { source: source.kind, path: source.path, sha256: await sha256File(source.path) };
  return wrap(model.encoder, model.params, identity, () => model.dispose());
}
