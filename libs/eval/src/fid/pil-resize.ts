/**
 * PIL's separable antialiased BICUBIC resampling (Pillow `Image.resize(..., BICUBIC)` on mode 'F' images), written
 * from the documented algorithm (model-spec.md §9.1, §8.5.2 clean-fid): cubic kernel with a = −0.5 and support 2,
 * widened by the downscale factor; per output pixel the taps cover [center − support, center + support] rounded,
 * clipped to the image and renormalised to sum 1. Coefficients and accumulation in float64, results stored as
 * float32; the horizontal pass runs first (on all rows), then the vertical one, each only when that side changes.
 */
import { pilTaps, type PilTaps } from '@vqrae/data';

/** Taps of one output coordinate: first input index and normalised weights (`PilTaps` of @vqrae/data). */
export type { PilTaps } from '@vqrae/data';

/**
 * Pillow's BICUBIC taps for resampling one axis from `inSize` to `outSize` (float64, each row sums to 1): the data
 * library's `pilTaps` (one PIL kernel in the repository). Exported so other engines can express the same resampling
 * exactly (e.g. as an interpolation matrix).
 */
export function pilBicubicTaps(inSize: number, outSize: number): PilTaps[] {
  return pilTaps(inSize, outSize, 'bicubic');
}

/** Image plane(s) stored row-major as [height, width, channels] (channels interleaved). */
export interface FloatImage {
  readonly data: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

function resizeWidth(src: FloatImage, outWidth: number): FloatImage {
  const { height, width, channels } = src;
  const taps = pilBicubicTaps(width, outWidth);
  const out = new Float32Array(height * outWidth * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { start, weights } = taps[x]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < weights.length; k++) acc += src.data[(y * width + start + k) * channels + c]! * weights[k]!;
        out[(y * outWidth + x) * channels + c] = acc;
      }
    }
  }
  return { data: out, height, width: outWidth, channels };
}

function resizeHeight(src: FloatImage, outHeight: number): FloatImage {
  const { height, width, channels } = src;
  const taps = pilBicubicTaps(height, outHeight);
  const out = new Float32Array(outHeight * width * channels);
  const rowLength = width * channels;
  for (let y = 0; y < outHeight; y++) {
    const { start, weights } = taps[y]!;
    for (let j = 0; j < rowLength; j++) {
      let acc = 0;
      for (let k = 0; k < weights.length; k++) acc += src.data[(start + k) * rowLength + j]! * weights[k]!;
      out[y * rowLength + j] = acc;
    }
  }
  return { data: out, height: outHeight, width, channels };
}

/**
 * Resizes every channel independently exactly like Pillow's BICUBIC on a float ('F') image: antialiased when
 * downscaling, plain a = −0.5 cubic when upscaling. Returns a new image; an unchanged size returns a copy.
 */
export function pilBicubicResize(src: FloatImage, size: { height: number; width: number }): FloatImage {
  if (src.data.length !== src.height * src.width * src.channels) {
    throw new Error(`pilBicubicResize: data length ${src.data.length} != ${src.height}×${src.width}×${src.channels}`);
  }
  if (size.height < 1 || size.width < 1) throw new Error(`pilBicubicResize: bad output size ${size.height}×${size.width}`);
  let out: FloatImage = { ...src, data: Float32Array.from(src.data) };
  if (size.width !== src.width) out = resizeWidth(out, size.width);
  if (size.height !== src.height) out = resizeHeight(out, size.height);
  return out;
}
