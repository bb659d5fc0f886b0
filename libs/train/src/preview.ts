import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { toUint8Pixels } from '@vqrae/data';

/** Sides of the preview's images: originals `[height, width, 3]`, reconstructions `[outputSize, outputSize, 3]`. */
export interface PreviewShape {
  readonly height: number;
  readonly width: number;
  /** Reconstruction side (default: originals' height, which must then equal their width). */
  readonly outputSize?: number;
}

/**
 * Writes a PNG grid: originals in the top row, reconstructions below, up to `maxImages` columns (as many as there
 * are reconstructions), each cell scaled up by an integer factor (nearest) to at least `minCell` pixels, rounded
 * with `toUint8Pixels` (clamp, half up). Host arrays only.
 * @param originals pixel01 `[≥count, H, W, 3]`
 * @param reconstructions pixel01 `[count, S_out, S_out, 3]` (clamped here)
 */
export async function writePreviewGrid(
  originals: Float32Array,
  reconstructions: Float32Array,
  shape: PreviewShape,
  file: string,
  opts: { readonly maxImages?: number; readonly minCell?: number } = {},
): Promise<void> {
  const { height, width } = shape;
  const outputSize = shape.outputSize ?? height;
  const count = Math.min(reconstructions.length / (outputSize * outputSize * 3), opts.maxImages ?? 8);
  const cellSide = Math.max(height, outputSize);
  const scale = Math.max(1, Math.ceil((opts.minCell ?? 96) / cellSide));
  const cellH = cellSide * scale;
  const cellW = Math.max(width, outputSize) * scale;
  const gap = 2;
  const gridW = count * cellW + (count + 1) * gap;
  const gridH = 2 * cellH + 3 * gap;
  const grid = new Uint8Array(gridW * gridH * 3).fill(255);
  const rows = [
    { pixels: toUint8Pixels(originals.subarray(0, count * height * width * 3)), h: height, w: width }, // [count, H, W, 3]
    { pixels: toUint8Pixels(reconstructions.subarray(0, count * outputSize * outputSize * 3)), h: outputSize, w: outputSize },
  ];
  rows.forEach(({ pixels, h, w }, r) => {
    for (let i = 0; i < count; i++) {
      for (let y = 0; y < h * scale; y++) {
        const dst = ((gap + r * (cellH + gap) + y) * gridW + gap + i * (cellW + gap)) * 3;
        const src = (i * h + Math.floor(y / scale)) * w * 3; // nearest-neighbour row
        for (let x = 0; x < w * scale; x++) {
          const from = src + Math.floor(x / scale) * 3;
          grid.set(pixels.subarray(from, from + 3), dst + x * 3);
        }
      }
    }
  });
  await fs.mkdir(path.dirname(file), { recursive: true });
  await sharp(grid, { raw: { width: gridW, height: gridH, channels: 3 } }).png().toFile(file);
}
