import sharp from 'sharp';
import { DEFAULT_LIMIT_INPUT_PIXELS, pilResize, planCrop, readJpegHeader, type CropSpec, type RgbImage } from '@vqrae/data';

/** sharp shrinks a JPEG on load (by 2) only from a 3× reduction on: below it the fast path would decode in full anyway. */
const MIN_DECODE_REDUCTION = 3;

/**
 * How much larger than the output the crop box stays after the reduced decode (its shorter side). Measured on
 * 2048×1536 JPEG q90 photographs (tools/testing/large-photos.ts, 3 photos × 6 epochs, 224 px, scale 0.35–1), PSNR of
 * fast against exact min / mean: 1.0 → 37.5 / 45.0 dB (below the contract: the last resample is ~1:1 with a
 * fractional shift), 1.25 → 43.4 / 48.5 dB at ~1.5× the exact path's speed, 1.5 → 47.8 / 50.0 dB, 2 → 48.8 / 51.1 dB
 * (little faster than exact: the DCT shrink falls to 2 or none). Tokens of the shipped small-cpu equal to exact's
 * (tools/testing/decode-mode-agreement.ts --protocol train, generated / Debian JPEGs): 1.25 → 72.5% / 73.0%,
 * 1.5 → 78.3% / 81.1%, ±1 grey-level noise on the exact crop 66.3% / 47.4%. Training crops are augmentations, so
 * the default stays the fastest headroom that keeps the pixel contract.
 */
export const FAST_CROP_HEADROOM = 1.25;

/**
 * `random-resized` with shrink-on-load (`decodeMode: 'fast'`), or null when the image does not qualify (not a JPEG
 * or WebP, or its crop box is too small for a reduced decode to pay off): the caller then decodes in full.
 *
 * Two steps. (1) The whole image is decoded at reduced scale: sharp reloads the JPEG with libjpeg's DCT-domain
 * downscale (2, 4 or 8; libwebp's scaled decode) and resamples the rest with its cubic kernel, to the largest
 * reduction that keeps the crop box at least `headroom × size` (default `FAST_CROP_HEADROOM`) on both sides. (2) The crop box, scaled
 * to that image with fractional edges (no rounding of the window), is resampled to `size`×`size` with the PIL bicubic
 * port. Accuracy
 * against the exact path (`FAST_DECODE_CONTRACT`): test/decode-mode.test.ts.
 */
export async function fastRandomResizedCrop(
  bytes: Uint8Array,
  spec: Extract<CropSpec, { protocol: 'random-resized' }>,
  key: string,
  headroom: number = FAST_CROP_HEADROOM,
): Promise<RgbImage | null> {
  if (!(headroom >= 1)) throw new Error(`fastRandomResizedCrop: headroom must be ≥ 1, got ${headroom}`);
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const header = await sourceHeader(input);
  if (header === null) return null;
  const oriented = header.orientation >= 5 ? { width: header.height, height: header.width } : { width: header.width, height: header.height };
  if (oriented.width * oriented.height > DEFAULT_LIMIT_INPUT_PIXELS) return null; // the exact path reports it
  const box = planCrop(spec, oriented.width, oriented.height, key).sourceWindow!;
  const reduction = Math.min(box.width, box.height) / spec.size / headroom;
  if (reduction < MIN_DECODE_REDUCTION) return null;
  // [H', W', 3] with H' = round(H / r), W' = round(W / r): the box stays ≥ headroom · size on its shorter side.
  const width = Math.max(1, Math.round(oriented.width / reduction));
  const height = Math.max(1, Math.round(oriented.height / reduction));
  const { data, info } = await sharp(input, { limitInputPixels: DEFAULT_LIMIT_INPUT_PIXELS, failOn: 'warning', pages: 1 })
    .autoOrient()
    .resize(width, height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true })
    .flatten({ background: { r: 255, g: 255, b: 255 } })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`fast decode produced ${info.channels} channels, expected 3`);
  const reduced: RgbImage = { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  const sx = info.width / oriented.width;
  const sy = info.height / oriented.height;
  const scaledBox = { left: box.left * sx, top: box.top * sy, right: (box.left + box.width) * sx, bottom: (box.top + box.height) * sy };
  return pilResize(reduced, spec.size, spec.size, 'bicubic', scaledBox);
}

/** Size and EXIF orientation of a JPEG (parsed) or WebP (sharp header read); null for other formats. */
async function sourceHeader(input: Buffer): Promise<{ width: number; height: number; orientation: number } | null> {
  const jpeg = readJpegHeader(input);
  if (jpeg) return jpeg;
  const isWebp = input.length > 12 && input.toString('latin1', 0, 4) === 'RIFF' && input.toString('latin1', 8, 12) === 'WEBP';
  if (!isWebp) return null;
  const meta = await sharp(input, { limitInputPixels: false }).metadata();
  return meta.width && meta.height ? { width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 } : null;
}
