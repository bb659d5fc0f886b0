import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pilBicubicResize } from '@vqrae/eval';
import { bilinearResizeMatrix, fidResizeMatrix, pilBicubicResizeMatrix, transposeMatrix, type ResizeMatrix } from '../src/inception/resize-matrices.js';

/** Seeded image [H, W, C] with values in 0..255 (LCG, no Math.random). */
function seededImage(height: number, width: number, channels: number, seed: number): Float32Array {
  const out = new Float32Array(height * width * channels);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 8) % 256;
  }
  return out;
}

/** R_rows · X · R_colsᵀ per channel of an [H, W, C] image, accumulated in float64. */
function applyMatrices(image: Float32Array, height: number, width: number, channels: number, rows: ResizeMatrix, cols: ResizeMatrix): Float32Array {
  const tmp = new Float64Array(height * cols.rows * channels); // [H, W', C]
  for (let y = 0; y < height; y++)
    for (let x = 0; x < cols.rows; x++)
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < width; k++) acc += cols.data[x * width + k]! * image[(y * width + k) * channels + c]!;
        tmp[(y * cols.rows + x) * channels + c] = Math.fround(acc);
      }
  const out = new Float32Array(rows.rows * cols.rows * channels); // [H', W', C]
  for (let y = 0; y < rows.rows; y++)
    for (let j = 0; j < cols.rows * channels; j++) {
      let acc = 0;
      for (let k = 0; k < height; k++) acc += rows.data[y * height + k]! * tmp[k * cols.rows * channels + j]!;
      out[y * cols.rows * channels + j] = acc;
    }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const SIZES: readonly [number, number, number, number][] = [
  [48, 64, 299, 299], // upscale (the FID fixture's small image)
  [320, 336, 299, 299], // downscale
  [37, 53, 12, 17],
  [5, 7, 64, 48],
];

// Source coordinates in float32 as TF, PyTorch and the tfjs wasm kernel (the test backend) compute them. An ulp or
// two of a coordinate (2^-23 × input size) times a neighbour difference of 255 is what float32 allows: the bound is
// that rounding noise (≤ 4e-5 relative for 336 px), not a different interpolation. The interpolation itself is
// exact: the legacy case agrees far tighter, and on a ramp image the sampled coordinates agree to 1e-6.
test('bilinear matrices reproduce tfjs-wasm resizeBilinear (TF1-legacy and half-pixel centres) within float32 coordinate noise', async () => {
  const before = tf.memory().numTensors;
  for (const [h, w, oh, ow] of SIZES) {
    const image = seededImage(h, w, 3, h * 31 + w);
    for (const halfPixel of [false, true]) {
      const x = tf.tensor4d(image, [1, h, w, 3]);
      const resized = tf.image.resizeBilinear(x, [oh, ow], false, halfPixel); // [1, oh, ow, 3]
      const expected = await resized.data();
      tf.dispose([x, resized]);
      const actual = applyMatrices(image, h, w, 3, bilinearResizeMatrix(h, oh, halfPixel), bilinearResizeMatrix(w, ow, halfPixel));
      const diff = maxAbsDiff(actual, expected);
      const bound = 4 * 2 ** -23 * Math.max(h, w) * 255;
      assert.ok(diff < bound, `${h}x${w}→${oh}x${ow} halfPixel=${halfPixel}: max |diff| ${diff} (bound ${bound})`);
    }
  }
  assert.equal(tf.memory().numTensors, before);
});

test('PIL bicubic matrices reproduce pilBicubicResize (Pillow parity path) within 1e-4 on 0..255', () => {
  for (const [h, w, oh, ow] of SIZES) {
    const image = seededImage(h, w, 3, h * 17 + w);
    const expected = pilBicubicResize({ data: image, height: h, width: w, channels: 3 }, { height: oh, width: ow }).data;
    const actual = applyMatrices(image, h, w, 3, pilBicubicResizeMatrix(h, oh), pilBicubicResizeMatrix(w, ow));
    const diff = maxAbsDiff(actual, expected);
    assert.ok(diff < 1e-4, `${h}x${w}→${oh}x${ow}: max |diff| ${diff}`);
  }
});

test('interpolation matrices: rows sum to 1, identity for an unchanged PIL axis, transpose round trip', () => {
  for (const variant of ['torch-fidelity', 'pytorch-fid', 'clean'] as const) {
    for (const [inSize, outSize] of [[48, 299], [336, 299], [7, 5]]) {
      const m = fidResizeMatrix(variant, inSize!, outSize!);
      assert.deepEqual([m.rows, m.cols], [outSize, inSize]);
      for (let r = 0; r < m.rows; r++) {
        let sum = 0;
        for (let c = 0; c < m.cols; c++) sum += m.data[r * m.cols + c]!;
        assert.ok(Math.abs(sum - 1) < 1e-6, `${variant} ${inSize}→${outSize} row ${r} sums to ${sum}`);
      }
      assert.deepEqual(transposeMatrix(transposeMatrix(m)), m);
    }
  }
  const identity = pilBicubicResizeMatrix(4, 4);
  assert.deepEqual([...identity.data], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  // TF1-legacy: output 0 samples input 0 exactly; the last output row clamps its upper neighbour to the last input.
  const legacy = bilinearResizeMatrix(3, 4, false);
  assert.deepEqual([...legacy.data], [1, 0, 0, 0.25, 0.75, 0, 0, 0.5, 0.5, 0, 0, 1].map(Math.fround));
  assert.throws(() => bilinearResizeMatrix(0, 4, false), /positive integers/);
});
