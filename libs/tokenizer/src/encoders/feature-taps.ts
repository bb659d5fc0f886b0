/** Tap-name validation and selection shared by the encoders' intermediate-features API (`ImageEncoder.features`). */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureTap } from './image-encoder.js';

/** Name of the tap every encoder has: its encoder output Z_I (what `encode` returns). */
export const FINAL_TAP = 'final';

/** Throws unless every requested tap is one of `available`; the message names `where` and lists the valid taps. */
export function checkTapNames(where: string, available: readonly FeatureTap[], requested: readonly string[]): void {
  if (requested.length === 0) throw new Error(`${where}: no taps requested (valid: ${available.map((t) => t.name).join(', ')})`);
  const known = new Set(available.map((t) => t.name));
  const unknown = requested.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    const quoted = unknown.map((name) => `'${name}'`).join(', ');
    throw new Error(`${where}: unknown tap ${quoted} (valid: ${[...known].join(', ')})`);
  }
}

/** `names` in order, keeping only the first of the names that `canonical` maps to the same feature map. */
export function uniqueTaps(names: readonly string[], canonical: (name: string) => string = (name) => name): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of names) {
    const key = canonical(name);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

/**
 * Three depths of an L-layer stack (1-based): round(L/3), round(2L/3), L, at least 1, deduplicated
 * (27 → 9, 18, 27; 12 → 4, 8, 12; 2 → 1, 2; 1 → 1).
 */
export function thirdsOfDepth(numLayers: number): number[] {
  const depths = [Math.round(numLayers / 3), Math.round((2 * numLayers) / 3), numLayers].map((l) => Math.max(1, l));
  return [...new Set(depths)];
}

/**
 * Hands out one tensor per requested tap from the computed maps: the first use of a map returns it, later uses
 * (a repeated tap, or an alias of an already returned map) return a clone, so the caller can dispose every entry.
 * Call inside the tidy that computed `maps` (the unused maps are freed by it).
 */
export function takeTaps(
  requested: readonly string[],
  maps: ReadonlyMap<string, tf.Tensor3D>,
  canonical: (name: string) => string,
  where: string,
): tf.Tensor3D[] {
  const used = new Set<string>();
  return requested.map((name) => {
    const key = canonical(name);
    const map = maps.get(key);
    if (map === undefined) throw new Error(`${where}: tap '${name}' was not computed (internal error)`);
    if (used.has(key)) return tf.clone(map);
    used.add(key);
    return map;
  });
}
