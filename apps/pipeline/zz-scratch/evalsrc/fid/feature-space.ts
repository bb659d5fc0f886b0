import type * as tf from '@tensorflow/tfjs-core';
import { describeFidInputVariant, type FidInputVariant, type FidPixelRange } from './input-variants.js';

/**
 * The feature space a Fréchet distance was computed in. Only the FID-Inception network (user-supplied converted
 * weights) yields FID/rFID; any other network gives a Fréchet distance labelled `FD[<name>]`, never comparable with
 * published rFIDs (model-spec.md §8.5.5).
 */
export type FeatureSpace =
  | { readonly kind: 'fid-inception'; readonly variant: FidInputVariant; readonly weightsSha256?: string }
  | { readonly kind: 'named'; readonly name: string; readonly description?: string };

/** Whether the two image sets are reference vs reconstructions (rFID) or reference vs generated samples (FID). */
export type FrechetUse = 'reconstruction' | 'generation';

/** A frozen network mapping image batches to one feature vector per image. */
export interface FeatureExtractor {
  readonly space: FeatureSpace;
  readonly featureDim: number;
  /** images [B, H, W, 3] in `range` → features [B, featureDim] (float32); the caller owns the result. */
  extract(images: tf.Tensor4D, range: FidPixelRange): Promise<tf.Tensor2D>;
  /** Releases the network's weights. */
  dispose(): void;
}

const RESERVED = /^(r?fid|fid[-_ ]?inception|inception[-_ ]?v3[-_ ]?fid)$/i;

/** A named (non-FID) feature space; throws when the name would pass for FID (e.g. 'rFID', 'fid-inception'). */
export function namedFeatureSpace(name: string, description?: string): FeatureSpace {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name)) {
    throw new Error(`namedFeatureSpace: '${name}' is not a valid feature-space name (letters, digits, . _ / -)`);
  }
  if (RESERVED.test(name)) {
    throw new Error(`namedFeatureSpace: '${name}' is reserved for the FID-Inception network; name the network you used`);
  }
  return description === undefined ? { kind: 'named', name } : { kind: 'named', name, description };
}

/**
 * The short metric name every printer, Arrow column and report uses:
 * `rFID[torch-fidelity]` / `FID[clean]` for FID-Inception, `FD[mobilenetv2-imagenet-stride16]` otherwise.
 */
export function frechetLabel(space: FeatureSpace, use: FrechetUse): string {
  if (space.kind === 'named') return `FD[${space.name}]`;
  return `${use === 'reconstruction' ? 'rFID' : 'FID'}[${space.variant}]`;
}

/** A sentence describing how the distance was computed, for report protocol blocks. */
export function frechetProtocol(space: FeatureSpace): string {
  if (space.kind === 'named') {
    const extra = space.description ? ` (${space.description})` : '';
    return `Fréchet distance in the '${space.name}' feature space${extra}; NOT FID, not comparable with published rFID/FID`;
  }
  const sha = space.weightsSha256 ? `, weights sha256 ${space.weightsSha256.slice(0, 12)}…` : '';
  return `FID-Inception-v3 pool3 (2048-d, TF inception-2015-12-05 weights${sha}); input ${describeFidInputVariant(space.variant)}`;
}
