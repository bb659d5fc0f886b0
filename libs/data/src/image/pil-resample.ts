import type { RgbImage } from './types.js';

/**
 * A TypeScript port of Pillow 9.4's separable resampling for 8-bit RGB (`Image.resize(size, resample)` with no
 * box and no reducing gap), bit-exact with it: antialiased (the filter support scales with the downscale factor),
 * coefficients normalised and converted to 22-bit fixed point, horizontal pass first with an 8-bit rounded
 * intermediate, then the vertical pass. Slower than sharp (plain JS); used where exact PIL parity matters (the ADM
 * box halving, `resampler: 'pil'`).
 */
export type PilFilter = 'box' | 'bilinear' | 'bicubic';

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

const FILTERS: Record<PilFilter, { support: number; weight: (x: number) => number }> = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => (x < 0 ? (x > -1 ? 1 + x : 0) : x < 1 ? 1 - x : 0) },
  bicubic: {
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

interface Coefficients {
  readonly taps: number;
  /** First source index per output index. */
  readonly start: Int32Array;
  /** Number of taps used per output index. */
  readonly count: Int32Array;
  /** Fixed-point weights, `taps` per output index. */
  readonly weights: Int32Array;
}

/** Taps of one output coordinate along one axis: first input index and weights normalised to sum 1 (float64). */
export interface PilTaps {
  readonly start: number;
  readonly weights: Float64Array;
}

/**
 * Pillow's taps for resampling one axis from `inSize` to `outSize` with `filter` (the one PIL kernel of the
 * repository): the support widens with the downscale factor, taps cover [center − support, center + support]
 * rounded and clipped to the image, renormalised to sum 1. Float64; the 8-bit path converts them to fixed point,
 * float resizers (FID-Inception's `pilBicubicResize`, resize matrices) use them as they are. `box0`/`box1` restrict
 * the source to the fractional interval [box0, box1) of the axis (Pillow's `resize(box=…)`; default: all of it).
 */
export function pilTaps(inSize: number, outSize: number, filter: PilFilter, box0 = 0, box1 = inSize): PilTaps[] {
  const { support: baseSupport, weight } = FILTERS[filter];
  const scale = (box1 - box0) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = baseSupport * filterScale;
  const taps: PilTaps[] = [];
  for (let o = 0; o < outSize; o++) {
    const center = box0 + (o + 0.5) * scale;
    const start = Math.max(0, Math.trunc(center - support + 0.5));
    const weights = new Float64Array(Math.max(Math.min(inSize, Math.trunc(center + support + 0.5)) - start, 0));
    let sum = 0;
    for (let i = 0; i < weights.length; i++) {
      weights[i] = weight((i + start - center + 0.5) / filterScale);
      sum += weights[i]!;
    }
    if (sum !== 0) for (let i = 0; i < weights.length; i++) weights[i]! /= sum;
    taps.push({ start, weights });
  }
  return taps;
}

function coefficients(inSize: number, outSize: number, filter: PilFilter, box0 = 0, box1 = inSize): Coefficients {
  const support = FILTERS[filter].support * Math.max((box1 - box0) / outSize, 1);
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * taps);
  pilTaps(inSize, outSize, filter, box0, box1).forEach((t, xx) => {
    t.weights.forEach((w, x) => {
      weights[xx * taps + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    });
    start[xx] = t.start;
    count[xx] = t.weights.length;
  });
  return { taps, start, count, weights };
}

const clip8 = (acc: number): number => (acc >= ONE * 256 ? 255 : acc <= 0 ? 0 : Math.floor(acc / ONE));

/** A source region in (fractional) pixel-edge coordinates, as Pillow's `resize(box=(left, top, right, bottom))`. */
export interface ResizeBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/**
 * Resizes an RGB image (or the fractional `box` of it) to `width`×`height` exactly as Pillow 9.4 does with the given
 * filter.
 */
export function pilResize(image: RgbImage, width: number, height: number, filter: PilFilter, box?: ResizeBox): RgbImage {
  if (!box && width === image.width && height === image.height) return { ...image, data: image.data.slice() };
  let current = image;
  const vertical = coefficients(image.height, height, filter, box?.top, box?.bottom);
  if (box || width !== image.width) {
    // Pillow only resamples the source rows the vertical pass reads
    const firstRow = vertical.start[0] as number;
    const lastRow = (vertical.start[height - 1] as number) + (vertical.count[height - 1] as number);
    current = horizontal(image, width, coefficients(image.width, width, filter, box?.left, box?.right), firstRow, lastRow);
    if (!box && height === image.height) return current;
    const shifted = { ...vertical, start: vertical.start.map((s) => s - firstRow) };
    return verticalPass(current, height, shifted);
  }
  return verticalPass(current, height, vertical);
}

function horizontal(image: RgbImage, width: number, c: Coefficients, firstRow: number, lastRow: number): RgbImage {
  const rows = lastRow - firstRow;
  const out = new Uint8Array(width * rows * 3);
  const src = image.data;
  for (let y = 0; y < rows; y++) {
    const rowBase = (y + firstRow) * image.width * 3;
    for (let xx = 0; xx < width; xx++) {
      const xmin = c.start[xx] as number;
      const n = c.count[xx] as number;
      const kBase = xx * c.taps;
      let r = HALF;
      let g = HALF;
      let b = HALF;
      for (let x = 0; x < n; x++) {
        const w = c.weights[kBase + x] as number;
        const p = rowBase + (xmin + x) * 3;
        r += (src[p] as number) * w;
        g += (src[p + 1] as number) * w;
        b += (src[p + 2] as number) * w;
      }
      const o = (y * width + xx) * 3;
      out[o] = clip8(r);
      out[o + 1] = clip8(g);
      out[o + 2] = clip8(b);
    }
  }
  return { data: out, width, height: rows, channels: 3 };
}

function verticalPass(image: RgbImage, height: number, c: Coefficients): RgbImage {
  const width = image.width;
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  const stride = width * 3;
  for (let yy = 0; yy < height; yy++) {
    const ymin = c.start[yy] as number;
    const n = c.count[yy] as number;
    const kBase = yy * c.taps;
    for (let i = 0; i < stride; i++) {
      let acc = HALF;
      for (let y = 0; y < n; y++) acc += (src[(ymin + y) * stride + i] as number) * (c.weights[kBase + y] as number);
      out[yy * stride + i] = clip8(acc);
    }
  }
  return { data: out, width, height, channels: 3 };
}

/** Copies the `width`×`height` window at (`left`, `top`) out of an RGB image. */
export function cropRgb(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) {
    throw new Error(`cropRgb: window ${width}×${height}+${left}+${top} is outside the ${image.width}×${image.height} image`);
  }
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 3;
    out.set(image.data.subarray(from, from + width * 3), y * width * 3);
  }
  return { data: out, width, height, channels: 3 };
}
