/**
 * The FID input variants' resizes (model-spec.md §8.5.2) as interpolation matrices, so an ONNX graph resamples with
 * two MatMuls and the very taps of the tfjs / Pillow reference: `out = R_rows · X · R_colsᵀ` per channel plane.
 *
 * Why not ONNX `Resize`: measured with onnxruntime-node 1.30 (CPU) on 48×64 and 320×336 → 299, Resize is close but
 * not exact: linear `asymmetric` / `half_pixel` are within float32 coordinate noise of tfjs (≤ 6e-3 on 0..255, as
 * these matrices are), but antialiased cubic (a = −0.5) is 17 off Pillow unless `exclude_outside = 1`, and even then
 * 6e-3 off, while these matrices reproduce `pilBicubicResize` within 1e-4. A matrix makes the interpolation weights
 * data, computed in float64 exactly as the reference computes them, and needs only MatMul, which every execution
 * provider has (whether each provider implements antialiased Resize was not checked).
 */
import { pilBicubicTaps, type FidInputVariant } from '@vqrae/eval';

/** A row-major matrix `[rows, cols]` of float32 weights. */
export interface ResizeMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array;
}

const f32 = Math.fround;

/**
 * Bilinear weights `[outSize, inSize]` of `resizeBilinear(alignCorners = false, halfPixelCenters)` along one axis:
 * source = ratio·o (TF1 legacy) or ratio·(o + 0.5) − 0.5 (half-pixel centres), floor clamped at 0, ceil at
 * inSize − 1, weights (1 − frac, frac); when floor and ceil coincide the row holds a single 1. Source coordinates are
 * computed in float32 like TensorFlow, PyTorch and the tfjs wasm kernel (tfjs' CPU kernel uses float64: up to
 * ~3e-5 relative apart on large downscales).
 */
export function bilinearResizeMatrix(inSize: number, outSize: number, halfPixelCenters: boolean): ResizeMatrix {
  checkSizes(inSize, outSize, 'bilinearResizeMatrix');
  const data = new Float64Array(outSize * inSize);
  const ratio = f32(inSize / outSize);
  for (let o = 0; o < outSize; o++) {
    const source = halfPixelCenters ? f32(f32(ratio * (o + 0.5)) - 0.5) : f32(ratio * o);
    const lower = Math.max(0, Math.floor(source));
    const upper = Math.min(inSize - 1, Math.ceil(source));
    const frac = f32(source - lower);
    data[o * inSize + lower]! += 1 - frac;
    data[o * inSize + upper]! += frac;
  }
  return { rows: outSize, cols: inSize, data: Float32Array.from(data) };
}

/** Pillow BICUBIC (antialiased when downscaling) weights `[outSize, inSize]` along one axis (`pilBicubicTaps`). */
export function pilBicubicResizeMatrix(inSize: number, outSize: number): ResizeMatrix {
  checkSizes(inSize, outSize, 'pilBicubicResizeMatrix');
  const data = new Float32Array(outSize * inSize);
  if (inSize === outSize) {
    // Pillow skips an unchanged axis; the identity is the same operation.
    for (let i = 0; i < inSize; i++) data[i * inSize + i] = 1;
    return { rows: outSize, cols: inSize, data };
  }
  pilBicubicTaps(inSize, outSize).forEach(({ start, weights }, o) => {
    weights.forEach((w, k) => {
      data[o * inSize + start + k] = w;
    });
  });
  return { rows: outSize, cols: inSize, data };
}

/** The interpolation matrix of `variant` resizing one axis from `inSize` to `outSize`. */
export function fidResizeMatrix(variant: FidInputVariant, inSize: number, outSize: number): ResizeMatrix {
  switch (variant) {
    case 'torch-fidelity':
      return bilinearResizeMatrix(inSize, outSize, false);
    case 'pytorch-fid':
      return bilinearResizeMatrix(inSize, outSize, true);
    case 'clean':
      return pilBicubicResizeMatrix(inSize, outSize);
  }
}

/** `[rows, cols]` → `[cols, rows]`. */
export function transposeMatrix(m: ResizeMatrix): ResizeMatrix {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.cols; c++) data[c * m.rows + r] = m.data[r * m.cols + c]!;
  return { rows: m.cols, cols: m.rows, data };
}

function checkSizes(inSize: number, outSize: number, where: string): void {
  if (!Number.isInteger(inSize) || inSize < 1 || !Number.isInteger(outSize) || outSize < 1) {
    throw new Error(`${where}: sizes must be positive integers, got ${inSize} → ${outSize}`);
  }
}
