/**
 * Images as host-side typed arrays for the image-quality metrics (PSNR, SSIM). Layout is row-major [H, W, C]
 * (the layout of sharp's raw output and of tfjs NHWC tensors after `dataSync()`).
 */
import { toUint8Pixels } from '@vqrae/data';

interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** An 8-bit image: values 0..255. */
export interface Uint8Image extends ImageShape {
  readonly kind: 'uint8';
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** A float image in pixel01 range (model-spec §1.2), e.g. a decoder output; values outside [0, 1] are allowed. */
export interface Pixel01Image extends ImageShape {
  readonly kind: 'pixel01';
  readonly data: Float32Array | Float64Array;
}

/** An image for the metrics: uint8 or pixel01 floats, [H, W, C] row-major. */
export type HostImage = Uint8Image | Pixel01Image;

/** Wraps raw 8-bit [H, W, C] pixels (e.g. sharp's `raw()` output) as a `Uint8Image`, checking the length. */
export function uint8Image(data: Uint8Array | Uint8ClampedArray, height: number, width: number, channels: number): Uint8Image {
  const image: Uint8Image = { kind: 'uint8', data, height, width, channels };
  assertImageLength(image, 'uint8Image');
  return image;
}

/** Wraps pixel01 float [H, W, C] pixels as a `Pixel01Image`, checking the length. */
export function pixel01Image(data: Float32Array | Float64Array, height: number, width: number, channels: number): Pixel01Image {
  const image: Pixel01Image = { kind: 'pixel01', data, height, width, channels };
  assertImageLength(image, 'pixel01Image');
  return image;
}

function assertImageLength(image: HostImage, where: string): void {
  const { height, width, channels } = image;
  if (![height, width, channels].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`${where}: image shape must be positive integers, got [${height}, ${width}, ${channels}]`);
  }
  if (image.data.length !== height * width * channels) {
    throw new Error(`${where}: expected ${height * width * channels} values for [${height}, ${width}, ${channels}], got ${image.data.length}`);
  }
}

/** Throws a message naming `where` unless both images have the same [H, W, C]. */
export function assertSameShape(a: HostImage, b: HostImage, where: string): void {
  assertImageLength(a, where);
  assertImageLength(b, where);
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new Error(
      `${where}: images differ in shape: [${a.height}, ${a.width}, ${a.channels}] vs [${b.height}, ${b.width}, ${b.channels}]`,
    );
  }
}

/**
 * The 8-bit pixels of an image. pixel01 floats are clamped to [0, 1] and rounded half up: round(255·x)
 * (model-spec §8.1 step 2; truncation would bias every pixel by −0.5 LSB), by the repository's one rounding
 * (`toUint8Pixels` of `@vqrae/data`: float32 arithmetic, NaN → 0).
 */
export function hostImageBytes(image: HostImage): Uint8Array | Uint8ClampedArray {
  return image.kind === 'uint8' ? image.data : toUint8Pixels(image.data);
}

/**
 * One float64 plane per channel in pixel01 range: uint8 values are divided by 255, pixel01 floats are used as they
 * are. Returns `channels` planes of H·W values each.
 */
export function pixel01Planes(image: HostImage): Float64Array[] {
  const { height, width, channels, data } = image;
  const size = height * width;
  const divisor = image.kind === 'uint8' ? 255 : 1; // divide (not ×1/255) to match NumPy's `x / 255.0` bit for bit
  const planes: Float64Array[] = [];
  for (let c = 0; c < channels; c++) {
    const plane = new Float64Array(size);
    for (let i = 0, j = c; i < size; i++, j += channels) plane[i] = data[j] / divisor;
    planes.push(plane);
  }
  return planes;
}
