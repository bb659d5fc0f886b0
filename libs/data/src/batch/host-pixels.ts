/**
 * Host-side pixel conversions shared by every engine and sink: uint8 images → one float32 pixel01 block (the model
 * input of any engine), and pixel01 floats → uint8 (the one rounding of the repository, model-spec §8.1).
 * Plain arrays only: nothing here creates a tensor or needs disposing.
 */
import type { RgbImage } from '../image/types.js';
import { writePixels } from './staging.js';

/** pixel01 images as one float32 NHWC block `[B, S, S, 3]`, row-major (square images). */
export interface PixelBatch {
  readonly data: Float32Array;
  readonly batch: number;
  /** Image side S. */
  readonly size: number;
}

/**
 * Square uint8 images of one size → a `PixelBatch` `[B, S, S, 3]` in pixel01 (v/255 as float32: the very values of
 * `imagesToTensor(images, 'pixel01')`). Throws naming the first image that is not square or not the first's size.
 */
export function pixelBatch(images: readonly RgbImage[]): PixelBatch {
  const first = images[0];
  if (!first) throw new Error('pixelBatch: no images');
  const size = first.width;
  const pixels = size * size * 3;
  const data = new Float32Array(images.length * pixels); // [B, S, S, 3]
  images.forEach((image, b) => {
    if (image.width !== size || image.height !== size || image.data.length !== pixels) {
      throw new Error(`pixelBatch: image ${b} is ${image.width}×${image.height} (${image.data.length} bytes), expected ${size}×${size}×3 (crop to one square size first)`);
    }
    writePixels(data, b * pixels, image.data, 'pixel01');
  });
  return { data, batch: images.length, size };
}

const f32 = Math.fround;

/**
 * pixel01 floats → uint8 by round-half-up of clamp(x, 0, 1)·255 (model-spec §8.1), computed exactly as tfjs does in
 * float32 (`floor(clip(x, 0, 1)·255 + 0.5)`, each operation rounded to float32), so it is byte-identical to the
 * former tensor rounding on every backend. NaN → 0 (as tfjs' float→int32 cast of NaN). Values are read as float32
 * (a Float64Array is narrowed first, as the model's outputs are float32).
 */
export function toUint8Pixels(pixel01: Float32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(pixel01.length);
  for (let i = 0; i < out.length; i++) {
    const x = f32(pixel01[i] as number);
    if (!(x > 0)) continue; // ≤ 0, −0 and NaN → 0
    if (x >= 1) {
      out[i] = 255;
      continue;
    }
    out[i] = Math.floor(f32(f32(x * 255) + 0.5));
  }
  return out;
}
