/**
 * Host-side first step of the FID input variants (model-spec.md §8.5.2): an image batch in either pixel range →
 * the float32 values the variant resizes, computed exactly as the tfjs path (`preprocessForFid`) computes them in
 * float32, so the ONNX graph only resizes and normalises.
 *   torch-fidelity  0..255 integers: uint8 as is; pixel01 → floor(x·255 + 0.5) clipped to [0, 255]
 *   pytorch-fid     0..1: uint8 → v/255; pixel01 as is
 *   clean           0..255 floats, not re-quantised: uint8 as is; pixel01 → x·255
 */
import type { FidInputVariant, FidPixelRange } from '@vqrae/eval';

/** An image batch `[B, H, W, 3]`, row-major (NHWC), in `range` (`uint8`: values 0..255; `pixel01`: floats in [0, 1]). */
export interface FidImageBatch {
  readonly data: Uint8Array | Float32Array;
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly range: FidPixelRange;
}

const f32 = Math.fround;

/** Checks the batch's geometry; the message names `where`. */
export function checkFidImageBatch(images: FidImageBatch, where: string): void {
  const { batch, height, width, data } = images;
  for (const [name, v] of [['batch', batch], ['height', height], ['width', width]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${where}: ${name} must be a positive integer, got ${v}`);
  }
  if (data.length !== batch * height * width * 3) {
    throw new Error(`${where}: image data has ${data.length} values, expected ${batch}×${height}×${width}×3 = ${batch * height * width * 3}`);
  }
  if (images.range !== 'uint8' && images.range !== 'pixel01') throw new Error(`${where}: unknown pixel range '${String(images.range)}'`);
}

/** The variant's pre-resize values of `images` as a fresh float32 array `[B, H, W, 3]`. */
export function fidInputScale(images: FidImageBatch, variant: FidInputVariant): Float32Array {
  const { data, range } = images;
  const out = new Float32Array(data.length);
  if (range === 'uint8') {
    if (variant === 'pytorch-fid') for (let i = 0; i < out.length; i++) out[i] = data[i]! / 255;
    else out.set(data);
    return out;
  }
  switch (variant) {
    case 'torch-fidelity':
      for (let i = 0; i < out.length; i++) out[i] = Math.min(Math.max(Math.floor(f32(f32(data[i]! * 255) + 0.5)), 0), 255);
      return out;
    case 'pytorch-fid':
      out.set(data);
      return out;
    case 'clean':
      for (let i = 0; i < out.length; i++) out[i] = data[i]! * 255;
      return out;
  }
}
