/**
 * Fixed 2-D sin-cos position table (RAE / MAE decoder, spec §5.3). For grid g and width D (D % 4 == 0), Q = D/4,
 * ω_k = 10000^(−k/Q). Token n = r·g + c gets [sin(c·ω), cos(c·ω), sin(r·ω), cos(r·ω)] (column first). With
 * `clsRow`, row 0 is all zeros and token n is row n+1. Computed in float64, stored as float32.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Host-side table values, row-major [(clsRow ? 1 : 0) + g², D]. */
export function sinCos2dValues(grid: number, dim: number, opts: { clsRow: boolean }): Float32Array {
  if (!Number.isInteger(grid) || grid < 1) throw new Error(`sinCos2dTable: grid must be a positive integer, got ${grid}`);
  if (!Number.isInteger(dim) || dim < 4 || dim % 4 !== 0) throw new Error(`sinCos2dTable: dim must be a positive multiple of 4, got ${dim}`);
  const quarter = dim / 4;
  const offset = opts.clsRow ? 1 : 0;
  const values = new Float32Array((offset + grid * grid) * dim);
  const omega = Array.from({ length: quarter }, (_, k) => 1 / Math.pow(10000, k / quarter));
  for (let r = 0; r < grid; r++) {
    for (let c = 0; c < grid; c++) {
      const base = (offset + r * grid + c) * dim;
      for (let k = 0; k < quarter; k++) {
        values[base + k] = Math.sin(c * omega[k]);
        values[base + quarter + k] = Math.cos(c * omega[k]);
        values[base + 2 * quarter + k] = Math.sin(r * omega[k]);
        values[base + 3 * quarter + k] = Math.cos(r * omega[k]);
      }
    }
  }
  return values;
}

/** The table as a new float32 tensor [(1+)g², D] (caller owns). */
export function sinCos2dTable(grid: number, dim: number, opts: { clsRow: boolean }): tf.Tensor {
  const rows = (opts.clsRow ? 1 : 0) + grid * grid;
  return tf.tensor2d(sinCos2dValues(grid, dim, opts), [rows, dim]);
}
