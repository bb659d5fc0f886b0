/**
 * Deterministic large "photographs" for the fast-decode accuracy contract and `bench:data`'s large-image table.
 *
 * Each one is a committed demo scene (`assets/images/*.jpg`, procedurally generated, see assets/generate-images.mjs)
 * upscaled to the target size with a Lanczos kernel, plus seeded texture at three scales (fine grain 1 px, mid
 * 3 px and coarse 11 px value noise, ±18 levels in all) so that the image carries energy up to the pixel frequency
 * like a real photo (a smooth upscaled scene alone would flatter any downscaler), encoded by sharp as JPEG quality 90
 * 4:2:0 (what cameras and web crawls produce). No external input and no download.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { mulberry32 } from './mulberry32.mjs';
import { WORKSPACE_ROOT } from './fixtures.js';

/** Scenes in `assets/images`, cycled by index. */
export const LARGE_PHOTO_SCENES = ['pine-forest', 'city-night', 'flower-field', 'ocean-waves', 'stained-glass', 'harbour-boats', 'desert-dunes', 'aurora', 'bubbles'] as const;


/** Value noise with `cell`-pixel cells, bilinear between seeded lattice values in [-1, 1]; `[H, W]` row-major. */
function valueNoise(width: number, height: number, cell: number, random: () => number): Float32Array {
  const gw = Math.ceil(width / cell) + 2;
  const gh = Math.ceil(height / cell) + 2;
  const lattice = Float32Array.from({ length: gw * gh }, () => random() * 2 - 1); // [gh, gw]
  const out = new Float32Array(width * height); // [H, W]
  for (let y = 0; y < height; y++) {
    const gy = y / cell;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / cell;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const a = lattice[y0 * gw + x0]! * (1 - fx) + lattice[y0 * gw + x0 + 1]! * fx;
      const b = lattice[(y0 + 1) * gw + x0]! * (1 - fx) + lattice[(y0 + 1) * gw + x0 + 1]! * fx;
      out[y * width + x] = a * (1 - fy) + b * fy;
    }
  }
  return out;
}

/** One large photograph as a JPEG (quality 90, 4:2:0), deterministic in (index, width, height). */
export async function largePhotoJpeg(index: number, width = 2048, height = 1536): Promise<Buffer> {
  const scene = LARGE_PHOTO_SCENES[index % LARGE_PHOTO_SCENES.length]!;
  const source = path.join(WORKSPACE_ROOT, 'assets/images', `${scene}.jpg`);
  const base = await sharp(fs.readFileSync(source)).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer(); // [H, W, 3]
  const random = mulberry32(0x1a26e + index * 7919);
  const layers = [
    { noise: valueNoise(width, height, 1, random), amplitude: 8 },
    { noise: valueNoise(width, height, 3, random), amplitude: 6 },
    { noise: valueNoise(width, height, 11, random), amplitude: 4 },
  ];
  const tint = [random() * 0.4 + 0.8, random() * 0.4 + 0.8, random() * 0.4 + 0.8];
  const pixels = Buffer.alloc(width * height * 3); // [H, W, 3]
  for (let i = 0; i < width * height; i++) {
    let texture = 0;
    for (const layer of layers) texture += layer.noise[i]! * layer.amplitude;
    for (let c = 0; c < 3; c++) {
      pixels[i * 3 + c] = Math.max(0, Math.min(255, Math.round(base[i * 3 + c]! + texture * tint[c]!)));
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90, chromaSubsampling: '4:2:0' }).toBuffer();
}
