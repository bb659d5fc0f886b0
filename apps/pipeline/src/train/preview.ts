import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Writes a PNG grid: originals in the top row, reconstructions below, up to `maxImages` columns, each cell scaled
 * up by an integer factor (nearest) to at least `minCell` pixels. Reads but does not dispose the tensors.
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
  const [top, bottom] = tf.tidy(() => [originals, reconstructions].map((t) => toUint8(t, count, scale)));
  try {
    const cellH = height * scale;
    const cellW = width * scale;
    const gap = 2;
    const gridW = count * cellW + (count + 1) * gap;
    const gridH = 2 * cellH + 3 * gap;
    const grid = new Uint8Array(gridW * gridH * 3).fill(255);
    const rows = [await top!.data(), await bottom!.data()];
    rows.forEach((pixels, r) => {
      for (let i = 0; i < count; i++) {
        for (let y = 0; y < cellH; y++) {
          const src = ((i * cellH + y) * cellW) * 3;
          const dst = (((gap + r * (cellH + gap)) + y) * gridW + gap + i * (cellW + gap)) * 3;
          grid.set(pixels.subarray(src, src + cellW * 3), dst);
        }
      }
    });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await sharp(grid, { raw: { width: gridW, height: gridH, channels: 3 } }).png().toFile(file);
  } finally {
    top!.dispose();
    bottom!.dispose();
  }
}

/** [count, S·scale, S·scale, 3] int32 in 0..255 (round half up), nearest-neighbour upscaled. */
function toUint8(images: tf.Tensor4D, count: number, scale: number): tf.Tensor {
  const [, height, width] = images.shape;
  const first = tf.slice(images, [0, 0, 0, 0], [count, -1, -1, -1]); // [count, S, S, 3]
  const scaled = scale === 1 ? first : tf.image.resizeNearestNeighbor(first, [height * scale, width * scale]);
  return tf.cast(tf.floor(tf.add(tf.mul(tf.clipByValue(scaled, 0, 1), 255), 0.5)), 'int32');
}
