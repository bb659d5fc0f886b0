import * as tf from '@tensorflow/tfjs-core';
import type { RandomSource } from '../types.js';
import { check } from '../internal/ops.js';

/** DiffAug policy (RAE: color + translation, probability 1, no cutout). */
export interface DiffAugOptions {
  /** Brightness, saturation and contrast jitter. */
  color: boolean;
  /** Max shift as a fraction of the side (0.125); 0 disables translation. */
  translationRatio: number;
}

/** The RAE policy. */
export const DEFAULT_DIFFAUG: DiffAugOptions = { color: true, translationRatio: 0.125 };

/** Per-sample integer shift: output(i, j) = input(i + dy, j + dx), zero outside. */
export interface Shift {
  dy: number;
  dx: number;
}

/** x + (r − 0.5) per sample; r [B] in [0, 1). r = 0.5 is the identity. Input/output pm1 [B, H, W, C]. */
export function adjustBrightness(x: tf.Tensor4D, r: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => tf.add(x, perSample(r.map((v) => v - 0.5))));
}

/** (x − mean_c)·2r + mean_c per sample, mean over channels per pixel. r = 0.5 is the identity. */
export function adjustSaturation(x: tf.Tensor4D, r: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.mean(x, 3, true); // [B, H, W, 1]
    return tf.add(tf.mul(tf.sub(x, mean), perSample(r.map((v) => 2 * v))), mean);
  });
}

/** (x − mean_all)·(r + 0.5) + mean_all per sample, mean over H, W, C. r = 0.5 is the identity. */
export function adjustContrast(x: tf.Tensor4D, r: readonly number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const mean = tf.mean(x, [1, 2, 3], true); // [B, 1, 1, 1]
    return tf.add(tf.mul(tf.sub(x, mean), perSample(r.map((v) => v + 0.5))), mean);
  });
}

/** Integer translation per sample with zero fill (zero = mid-gray in pm1); shape is kept. */
export function translate(x: tf.Tensor4D, shifts: readonly Shift[]): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  check(shifts.length === batch, 'translate', () => `got ${shifts.length} shifts for a batch of ${batch}`);
  const padY = Math.max(...shifts.map((s) => Math.abs(s.dy)));
  const padX = Math.max(...shifts.map((s) => Math.abs(s.dx)));
  return tf.tidy(() => {
    const padded = tf.pad(x, [[0, 0], [padY, padY], [padX, padX], [0, 0]]); // [B, H + 2py, W + 2px, C]
    const samples = shifts.map((s, b) => tf.slice(padded, [b, padY + s.dy, padX + s.dx, 0], [1, height, width, -1]));
    return tf.concat(samples, 0) as tf.Tensor4D; // [B, H, W, C]
  });
}

/**
 * DiffAug on pm1 images [B, H, W, C] with seeded draws (same rng state ⇒ same result). Order and draws, as the
 * DiffAugment reference: brightness r[B], saturation r[B], contrast r[B] (if color), then translation dy[B], dx[B]
 * uniform integers in [−s, s] with s = round(ratio·side). Differentiable w.r.t. the images. Caller owns the result.
 */
export function diffAugment(x: tf.Tensor4D, rng: RandomSource, options: DiffAugOptions = DEFAULT_DIFFAUG): tf.Tensor4D {
  const [batch, height, width] = x.shape;
  const draw = () => Array.from({ length: batch }, () => rng.uniform());
  const color = options.color ? { brightness: draw(), saturation: draw(), contrast: draw() } : undefined;
  const sy = Math.round(options.translationRatio * height);
  const sx = Math.round(options.translationRatio * width);
  let shifts: Shift[] | undefined;
  if (sy > 0 || sx > 0) {
    const dys = Array.from({ length: batch }, () => rng.int(2 * sy + 1) - sy);
    const dxs = Array.from({ length: batch }, () => rng.int(2 * sx + 1) - sx);
    shifts = dys.map((dy, b) => ({ dy, dx: dxs[b] }));
  }
  return tf.tidy(() => {
    let y = x;
    if (color !== undefined) {
      y = adjustContrast(adjustSaturation(adjustBrightness(y, color.brightness), color.saturation), color.contrast);
    }
    if (shifts !== undefined) y = translate(y, shifts);
    return tf.clone(y);
  });
}

function perSample(values: readonly number[]): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from(values), [values.length, 1, 1, 1]);
}
