import sharp, { type Sharp } from 'sharp';
import { planCrop, type CropPlan } from './crop-geometry.js';
import { readJpegHeader } from './jpeg-header.js';
import { cropRgb, pilResize } from './pil-resample.js';
import { tuneSharpForStreaming, type SharpStreamingTuning } from './sharp-tuning.js';
import type { Background, CropSpec, RgbImage } from './types.js';

/**
 * How images are decoded. Kernels: with `resampler: 'sharp'` (default, fast, libvips on the libuv pool) every resize
 * uses sharp's `cubic` kernel (Catmull-Rom, a = −0.5, the same cubic as PIL's BICUBIC; libvips antialiases by
 * widening it when downscaling, and pre-shrinks by an integer box factor only when reducing by ≥ 4×), within about
 * 1/255 of PIL on photographs; ADM's box halvings always run in TypeScript exactly as PIL does. With
 * `resampler: 'pil'` every resize is the TypeScript port of Pillow 9.4 (`pilResize`), bit-exact with PIL.
 */
export interface LoadImageOptions {
  /** Crop/resize protocol; none = the full decoded image. */
  readonly crop?: CropSpec;
  /** Alpha is flattened onto this colour (default white, as PIL's `convert('RGB')` of a white-matted image). */
  readonly background?: Background;
  /** Decompression-bomb guard: images with more pixels are rejected before decoding (default 178 956 970, PIL's error threshold). */
  readonly limitInputPixels?: number;
  readonly resampler?: 'sharp' | 'pil';
  /** libvips strictness: 'warning' (default) rejects truncated/corrupt data that PIL also rejects. */
  readonly failOn?: 'none' | 'truncated' | 'error' | 'warning';
  /**
   * Process-wide sharp settings for streams of images, applied once before the first decode of the process
   * (see `tuneSharpForStreaming`: libvips operation cache off, malloc warm-up); `false` leaves sharp untouched.
   * Only the first call's settings count.
   */
  readonly sharpTuning?: SharpStreamingTuning | false;
  /**
   * `exact` (default): every image is decoded in full, then resampled (bit-for-bit the reference path, for evaluation
   * protocols). `fast`: a JPEG or WebP at least twice the target is decoded at reduced scale (libjpeg DCT scaling by
   * 2, 4 or 8, or libwebp's scaled decode) and only the remaining factor is resampled with the same cubic kernel;
   * see `FAST_DECODE_CONTRACT`. Applies to the `center`, `random-crop` and `exact` protocols with the `sharp`
   * resampler, and to `adm` for JPEGs whose sides are divisible by 2^halvings (≤ 8: libjpeg's DCT scaling then stands
   * in for the box halvings on the same pixel grid; other sizes would drop edge pixels differently, measured 34–37 dB);
   * other protocols, the `pil` resampler and smaller images decode exactly as in `exact`.
   */
  readonly decodeMode?: DecodeMode;
  /**
   * `fast` only, `center`/`random-crop`/`exact` protocols: when set, the reduced decode stops at the largest
   * reduction that leaves at least this factor (≥ 1) to the exact cubic resize, in two steps: sharp decodes at
   * reduced scale to an intermediate size, then resizes that to the protocol's size with the same cubic as `exact`.
   * Unset (default): one sharp call, where sharp picks the DCT scale itself (leaving 1.125–2.5 to its resize).
   * Images whose reduction would fall below 2 decode exactly as in `exact`.
   */
  readonly fastHeadroom?: number;
}

/**
 * What `decodeMode: 'fast'` promises against `exact` on the same bytes and protocol, measured on 2048×1536 JPEG q90
 * photographs with fine texture (tools/testing/large-photos.ts):
 * - PSNR ≥ `minPsnrDb` per image (measured 47–50 dB, max |Δ| 4–9 levels, center 224/256, exact 512, random-crop
 *   256 from 288; adm 224/256 47 dB, 4000×3000 → adm 256 44 dB; libs/data/test/decode-mode.test.ts);
 * - tokens: with the untrained small-cpu (pretrained MobileNetV2, seeded quantizer) fast and exact agree on
 *   ≥ `minTokenAgreement` of positions (measured 92.4%); with the shipped trained small-cpu, fast moves no more
 *   tokens than ±1 grey level of noise on every value of the exact input does: agreement(fast, exact) ≥
 *   `minAgreementOverUnitNoise` × agreement(exact ± 1, exact) (apps/pipeline/test/images/decode-mode-tokens.test.ts).
 *   The 99% first asked for is out of reach of any decode that is not bit-identical: on the trained small-cpu
 *   (tools/testing/decode-mode-agreement.ts, centre 224, 24 generated photos / 8 large Debian JPEGs) ±1 noise keeps
 *   67.1% / 46.1% of the tokens, PIL's full decode + bicubic (a second reference decoder) 79.0% / 77.2%, PIL's own
 *   fast path (`draft()`) 75.2% / 64.4%, fast 74.8% / 66.4%; more headroom (`fastHeadroom` 2 / 3) reaches 77.5% / 76.0%
 *   and 78.1% / 84.8% at 1.4× / 2.1× fast's CPU.
 * Evaluation protocols use `exact`.
 */
export const FAST_DECODE_CONTRACT = { minPsnrDb: 40, minTokenAgreement: 0.9, minAgreementOverUnitNoise: 1 } as const;

/** Decode protocols (see `LoadImageOptions.decodeMode`). */
export const DECODE_MODES = ['fast', 'exact'] as const;
export type DecodeMode = (typeof DECODE_MODES)[number];

export const DEFAULT_LIMIT_INPUT_PIXELS = 178_956_970;
const WHITE: Background = { r: 255, g: 255, b: 255 };

/**
 * Decodes one encoded image (JPEG, PNG, WebP, GIF first frame, TIFF first page) into 3-channel 8-bit sRGB HWC:
 * EXIF orientation applied, embedded ICC profiles converted to sRGB, grey expanded to RGB, alpha flattened onto the
 * background; then the crop protocol, if any. Throws with a clear message for empty input, undecodable data and
 * images above `limitInputPixels`.
 */
export async function loadImage(bytes: Uint8Array, options: LoadImageOptions = {}, key = ''): Promise<RgbImage> {
  if (bytes.length === 0) throw new Error('image member is empty (0 bytes)');
  if (options.sharpTuning !== false) await tuneSharpForStreaming(options.sharpTuning);
  const limit = options.limitInputPixels ?? DEFAULT_LIMIT_INPUT_PIXELS;
  const input = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const sharpOptions = { limitInputPixels: limit, failOn: options.failOn ?? 'warning', pages: 1 } as const;
  const meta = await readHeader(input);
  const { width, height } = meta;
  if (width * height > limit) {
    throw new Error(`image is ${width}×${height} = ${width * height} pixels, above limitInputPixels ${limit} (decompression-bomb guard)`);
  }
  const swapped = meta.orientation >= 5;
  const oriented = swapped ? { width: height, height: width } : { width, height };
  const plan = options.crop ? planCrop(options.crop, oriented.width, oriented.height, key) : undefined;
  const background = options.background ?? WHITE;
  const base = sharp(input, sharpOptions).autoOrient();
  if (plan && options.decodeMode === 'fast' && admShrinksOnLoad(meta.format, oriented, plan) && (options.resampler ?? 'sharp') === 'sharp') {
    // adm: JPEG shrink-on-load by 2^halvings instead of the box halvings, then the same cubic for the rest.
    const resized = await toRgb(base.resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }), background);
    return cropRgb(resized, plan.window.left, plan.window.top, plan.window.width, plan.window.height);
  }
  if (plan && plan.halvings === 0 && (options.resampler ?? 'sharp') === 'sharp') {
    const shrinks = shrinksOnLoad(meta.format, oriented, plan);
    // fast: sharp reloads the JPEG/WebP at reduced scale (it never does with a pre-resize extract, so a source
    // window keeps the exact path) and resizes the rest of the way with the same kernel.
    const fast = shrinks && options.decodeMode === 'fast' && !plan.sourceWindow;
    if (fast && options.fastHeadroom !== undefined) {
      const reduced = await reducedForHeadroom(base, oriented, plan, options.fastHeadroom, background);
      if (reduced) return resizeAndCut(reduced, plan);
    }
    if (fast && options.fastHeadroom === undefined) {
      // The window is cut in TypeScript: any sharp `extract` after `autoOrient` makes sharp orient before resizing,
      // which turns shrink-on-load off for every EXIF-rotated photo.
      const resized = await toRgb(base.resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }), background);
      return cropRgb(resized, plan.window.left, plan.window.top, plan.window.width, plan.window.height);
    }
    if (!shrinks) {
      let pipeline = base;
      if (plan.sourceWindow) pipeline = pipeline.extract(plan.sourceWindow);
      pipeline = pipeline
        .resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: false })
        .extract(plan.window);
      return toRgb(pipeline, background);
    }
  }
  const full = await toRgb(base, background);
  return plan ? applyPlan(full, plan, options.resampler ?? 'sharp') : full;
}

/**
 * fast with an explicit headroom: the whole image decoded at reduced scale to `round(size / r)`, where `r` is the
 * protocol's reduction divided by `headroom` (sharp: DCT-domain shrink, then its cubic for the rest); null when `r`
 * is below 2 (no DCT shrink would happen: the exact path is as fast).
 */
async function reducedForHeadroom(base: Sharp, oriented: { width: number; height: number }, plan: CropPlan, headroom: number, background: Background): Promise<RgbImage | null> {
  if (!(headroom >= 1)) throw new Error(`fastHeadroom must be ≥ 1, got ${headroom}`);
  const reduction = Math.min(oriented.width / plan.resize.width, oriented.height / plan.resize.height) / headroom;
  if (reduction < 2) return null;
  // [H', W', 3]: the whole oriented image at 1/reduction
  const width = Math.max(plan.resize.width, Math.round(oriented.width / reduction));
  const height = Math.max(plan.resize.height, Math.round(oriented.height / reduction));
  return toRgb(base.resize(width, height, { fit: 'fill', kernel: 'cubic', fastShrinkOnLoad: true }), background);
}

/** The exact path's last step on an already (reduced) decoded image: cubic resize of the whole image to `plan.resize`, then the window. */
function resizeAndCut(image: RgbImage, plan: CropPlan): Promise<RgbImage> {
  const raw = { width: image.width, height: image.height, channels: 3 } as const;
  return toRgb(sharp(image.data, { raw }).resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' }).extract(plan.window), WHITE);
}

/** Source pixels (width × height) from the image header, without decoding; 0 when the header is unreadable. */
export async function imageSourcePixels(bytes: Uint8Array): Promise<number> {
  try {
    const { width, height } = await readHeader(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    return width * height;
  } catch {
    return 0;
  }
}

/** Size, orientation and format from the header: parsed in TypeScript for JPEG, else by sharp (header only). */
async function readHeader(input: Buffer): Promise<{ width: number; height: number; orientation: number; format: string | undefined }> {
  const jpeg = readJpegHeader(input);
  if (jpeg) return { ...jpeg, format: 'jpeg' };
  const meta = await sharp(input, { limitInputPixels: false }).metadata();
  return { width: meta.width ?? 0, height: meta.pageHeight ?? meta.height ?? 0, orientation: meta.orientation ?? 1, format: meta.format };
}

/**
 * True when libvips would use JPEG/WebP shrink-on-load for this plan (reduction ≥ 2). Shrink-on-load rounds the
 * shrunk size up, which shifts the sampling grid by up to a pixel (mean |Δ| vs PIL 1.5/255 measured on a
 * 333×517 → 64 crop); such images are decoded in full first and resized from raw pixels instead.
 */
function shrinksOnLoad(format: string | undefined, size: { width: number; height: number }, plan: CropPlan): boolean {
  if (format !== 'jpeg' && format !== 'webp') return false;
  const source = plan.sourceWindow ?? size;
  return Math.min(source.width / plan.resize.width, source.height / plan.resize.height) >= 2;
}

/**
 * True when `adm`'s box halvings can be replaced by JPEG shrink-on-load (fast mode): 1–3 halvings (libjpeg scales by
 * 2, 4 or 8) of a JPEG whose sides are both divisible by 2^halvings, so that no edge pixel is dropped by the halvings
 * and the two grids coincide (measured 44–51 dB against exact on 1024×768 to 4000×3000 photographs).
 */
function admShrinksOnLoad(format: string | undefined, size: { width: number; height: number }, plan: CropPlan): boolean {
  if (format !== 'jpeg' || plan.halvings < 1 || plan.halvings > 3 || plan.sourceWindow) return false;
  const factor = 2 ** plan.halvings;
  return size.width % factor === 0 && size.height % factor === 0;
}

/**
 * Crops an already decoded RGB image with a protocol (same geometry and kernels as `loadImage`). `key` seeds the
 * random protocols.
 */
export async function cropImage(image: RgbImage, crop: CropSpec, key = '', resampler: 'sharp' | 'pil' = 'sharp'): Promise<RgbImage> {
  return applyPlan(image, planCrop(crop, image.width, image.height, key), resampler);
}

async function applyPlan(image: RgbImage, plan: CropPlan, resampler: 'sharp' | 'pil'): Promise<RgbImage> {
  let current = image;
  for (let i = 0; i < plan.halvings; i++) {
    current = pilResize(current, Math.floor(current.width / 2), Math.floor(current.height / 2), 'box');
  }
  if (plan.sourceWindow) {
    const w = plan.sourceWindow;
    current = cropRgb(current, w.left, w.top, w.width, w.height);
  }
  if (resampler === 'pil') {
    const resized = pilResize(current, plan.resize.width, plan.resize.height, 'bicubic');
    return cropRgb(resized, plan.window.left, plan.window.top, plan.window.width, plan.window.height);
  }
  const raw = { width: current.width, height: current.height, channels: 3 } as const;
  const pipeline = sharp(current.data, { raw })
    .resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' })
    .extract(plan.window);
  return toRgb(pipeline, WHITE);
}

async function toRgb(pipeline: Sharp, background: Background): Promise<RgbImage> {
  const { data, info } = await pipeline.flatten({ background }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
    throw new Error(`decoder produced ${info.channels} channels (${data.length} bytes for ${info.width}×${info.height}), expected 3 of uint8`);
  }
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}
