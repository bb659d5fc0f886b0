import sharp from 'sharp';

/** Raw HWC uint8 RGB pixels with their size (`rgb.length === width · height · 3`). */
export interface RgbPixels {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

/** Lossless PNG (zlib level 6) of raw RGB pixels; the same pixels always give the same bytes. */
export async function encodePng(image: RgbPixels): Promise<Buffer> {
  return sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}
