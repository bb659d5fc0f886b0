/**
 * Patch (un)folding by reshape/transpose (no conv kernels needed, so it trains on wasm).
 * Orders of the flattened patch vector (spec §1.3, §5.5):
 * - 'c-py-px': index = c·p² + py·p + px (matches a Conv2d OIHW kernel flattened; patch embedding);
 * - 'py-px-c': index = (py·p + px)·C + c (RAE decoder_pred output / unpatchify).
 * Token index n = row·g_w + col (row-major grid).
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear.js';

/** Order of values inside a flattened patch. */
export type PatchOrder = 'c-py-px' | 'py-px-c';

/** x [B, H, W, C] → [B, N, p·p·C] with N = (H/p)·(W/p). */
export function patchify(x: tf.Tensor, p: number, order: PatchOrder): tf.Tensor {
  if (x.rank !== 4) throw new Error(`patchify: x must be [B, H, W, C], got [${x.shape.join(', ')}]`);
  const [batch, height, width, channels] = x.shape;
  if (!Number.isInteger(p) || p < 1 || height % p !== 0 || width % p !== 0) {
    throw new Error(`patchify: image ${height}×${width} is not divisible into ${p}×${p} patches`);
  }
  const gh = height / p;
  const gw = width / p;
  return tf.tidy(() => {
    const grid = tf.reshape(x, [batch, gh, p, gw, p, channels]); // [B, gh, py, gw, px, C]
    const perm = order === 'py-px-c' ? [0, 1, 3, 2, 4, 5] : [0, 1, 3, 5, 2, 4];
    const patches = tf.transpose(grid, perm); // [B, gh, gw, py, px, C] or [B, gh, gw, C, py, px]
    return tf.reshape(patches, [batch, gh * gw, p * p * channels]); // [B, N, p·p·C]
  });
}

/** y [B, N, p·p·C] → [B, H, W, C] for a grid of grid.h × grid.w patches (exact inverse of `patchify`). */
export function unpatchify(y: tf.Tensor, p: number, grid: { h: number; w: number }, channels: number, order: PatchOrder): tf.Tensor {
  if (y.rank !== 3) throw new Error(`unpatchify: y must be [B, N, p·p·C], got [${y.shape.join(', ')}]`);
  const [batch, tokens, patchSize] = y.shape;
  if (tokens !== grid.h * grid.w || patchSize !== p * p * channels) {
    throw new Error(`unpatchify: y [${y.shape.join(', ')}] does not match grid ${grid.h}×${grid.w}, p=${p}, C=${channels}`);
  }
  return tf.tidy(() => {
    if (order === 'py-px-c') {
      const patches = tf.reshape(y, [batch, grid.h, grid.w, p, p, channels]); // [B, gh, gw, py, px, C]
      const image = tf.transpose(patches, [0, 1, 3, 2, 4, 5]); // [B, gh, py, gw, px, C]
      return tf.reshape(image, [batch, grid.h * p, grid.w * p, channels]); // [B, H, W, C]
    }
    const patches = tf.reshape(y, [batch, grid.h, grid.w, channels, p, p]); // [B, gh, gw, C, py, px]
    const image = tf.transpose(patches, [0, 1, 4, 2, 5, 3]); // [B, gh, py, gw, px, C]
    return tf.reshape(image, [batch, grid.h * p, grid.w * p, channels]); // [B, H, W, C]
  });
}

/**
 * Patch embedding = Conv2d(kernel = stride = p, 'valid') on NHWC x, with the PyTorch OIHW weight [D, C, p, p] and
 * bias [D]; computed as patchify('c-py-px') + linear. Returns tokens [B, N, D] (row-major grid).
 */
export function patchEmbed(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined, p: number): tf.Tensor {
  if (weight.rank !== 4 || weight.shape[2] !== p || weight.shape[3] !== p || weight.shape[1] !== x.shape[3]) {
    throw new Error(`patchEmbed: weight must be OIHW [D, ${x.shape[3]}, ${p}, ${p}], got [${weight.shape.join(', ')}]`);
  }
  const [dim, channels] = weight.shape;
  return tf.tidy(() => {
    const patches = patchify(x, p, 'c-py-px'); // [B, N, C·p·p]
    const flatWeight = tf.reshape(weight, [dim, channels * p * p]); // [D, C·p·p]
    return linear(patches, flatWeight, bias); // [B, N, D]
  });
}
