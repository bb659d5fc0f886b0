import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type * as tf from '@tensorflow/tfjs-core';
import { toUint8Pixels } from '@vqrae/data';

/**
 * Writes a PNG grid: originals in the top row, reconstructions below, up to `maxImages` columns, each cell scaled
 * up by an integer factor (nearest) to at least `minCell` pixels, rounded with `toUint8Pixels`. Reads but does not
 * dispose the tensors.
 * @param originals [B, S, S, 3] pixel01
 * @param reconstructions [B, S, S, 3] pixel01 (clamped here)
 */
export async function writePreviewGrid(
  originals: tf.Tensor4D,
  reconstructions: tf.Tensor4D,
  file: string,
  opts: { readonly maxImages?: number; readonly minCell?: number } = {},
): Promise<void> {
  const [batch, height, width] = originals.shape;
  const count = Math.min(batch, opts.maxImages ?? 8);
  const scale = Math.max(1, Math.ceil((opts.minCell ?? 96) / height));
  const cellH = height * scale;
  const cellW = width * scale;
  const gap = 2;
  const gridW = count * cellW + (count + 1) * gap;
  const gridH = 2 * cellH + 3 * gap;
  const grid = new Uint8Array(gridW * gridH * 3).fill(255);
  const per = height * width * 3;
  const rows = [originals, reconstructions].map(async (t) => toUint8Pixels(((await t.data()) as Float32Array).subarray(0, count * per))); // [count, S, S, 3]
  for (const [r, pixels] of (await Promise.all(rows)).entries()) {
    for (let i = 0; i < count; i++) {
      for (let y = 0; y < cellH; y++) {
        const dst = ((gap + r * (cellH + gap) + y) * gridW + gap + i * (cellW + gap)) * 3;
        const src = (i * height + Math.floor(y / scale)) * width * 3; // nearest-neighbour row
        for (let x = 0; x < cellW; x++) {
          const from = src + Math.floor(x / scale) * 3;
          grid.set(pixels.subarray(from, from + 3), dst + x * 3);
        }
      }
    }
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp(grid, { raw: { width: gridW, height: gridH, channels: 3 } }).png().toFile(file);
}
