import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pilBicubicResize } from '../../src/fid/pil-resize.js';
import { FID_FIXTURES, readParityFixture } from './fid-fixtures.js';
import path from 'node:path';

test('tf.avgPool 3x3/1 same excludes padding (torch count_include_pad=False): ones stay exactly 1', () => {
  const before = tf.memory().numTensors;
  const ones = tf.ones([1, 5, 6, 2]);
  const pooled = tf.avgPool(ones as tf.Tensor4D, 3, 1, 'same');
  assert.deepEqual([...pooled.dataSync()], new Array(5 * 6 * 2).fill(1));
  // A ramp: the corner averages its 4 in-bounds taps, not 9.
  const ramp = tf.tensor4d([0, 1, 2, 3, 4, 5, 6, 7, 8], [1, 3, 3, 1]); // values 0..8 row-major
  const rampPooled = tf.avgPool(ramp, 3, 1, 'same');
  const r = rampPooled.dataSync();
  assert.equal(r[0], (0 + 1 + 3 + 4) / 4);
  assert.equal(r[4], 4);
  assert.equal(r[1], (0 + 1 + 2 + 3 + 4 + 5) / 6);
  tf.dispose([ones, pooled, ramp, rampPooled]);
  assert.equal(tf.memory().numTensors, before);
});

test('tf.maxPool 3x3/1 same pads with -inf semantics (negative borders survive)', () => {
  const x = tf.tensor4d([-5, -4, -3, -2], [1, 2, 2, 1]);
  const pooled = tf.maxPool(x, 3, 1, 'same');
  assert.deepEqual([...pooled.dataSync()], [-2, -2, -2, -2]);
  tf.dispose([x, pooled]);
});

/** Reference bilinear resize from model-spec.md §9.4, float64. */
function bilinearReference(src: Float32Array, h: number, w: number, oh: number, ow: number, halfPixel: boolean): Float64Array {
  const axis = (n: number, o: number, i: number): { lo: number; hi: number; f: number } => {
    let s = halfPixel ? (i + 0.5) * (n / o) - 0.5 : i * (n / o);
    if (s < 0) s = 0;
    const lo = Math.floor(s);
    return { lo, hi: Math.min(lo + 1, n - 1), f: s - lo };
  };
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    const ay = axis(h, oh, y);
    for (let x = 0; x < ow; x++) {
      const ax = axis(w, ow, x);
      const at = (yy: number, xx: number): number => src[yy * w + xx]!;
      const top = at(ay.lo, ax.lo) * (1 - ax.f) + at(ay.lo, ax.hi) * ax.f;
      const bottom = at(ay.hi, ax.lo) * (1 - ax.f) + at(ay.hi, ax.hi) * ax.f;
      out[y * ow + x] = top * (1 - ay.f) + bottom * ay.f;
    }
  }
  return out;
}

for (const halfPixel of [false, true]) {
  test(`tf.image.resizeBilinear halfPixelCenters=${halfPixel} equals the spec §9.4 formula (up and down)`, () => {
    const h = 7;
    const w = 9;
    const src = Float32Array.from({ length: h * w }, (_, i) => ((i * 37) % 101) * 2.5);
    for (const [oh, ow] of [[299, 299], [4, 5], [13, 6]] as const) {
      const t = tf.tensor4d(src, [1, h, w, 1]);
      const r = tf.image.resizeBilinear(t, [oh, ow], false, halfPixel);
      const actual = r.dataSync();
      const expected = bilinearReference(src, h, w, oh, ow, halfPixel);
      let maxDiff = 0;
      for (let i = 0; i < expected.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
      assert.ok(maxDiff < 1e-3, `${oh}x${ow}: max diff ${maxDiff} on values up to 250`);
      tf.dispose([t, r]);
    }
  });
}

test('pilBicubicResize matches Pillow 9.4 BICUBIC on a float image (down 3x, up, one side only)', async () => {
  const { pil } = await readParityFixture(path.join(FID_FIXTURES, 'fid_inception_w16_io.safetensors'));
  assert.ok(pil.outputs.length >= 4);
  for (const expected of pil.outputs) {
    const actual = pilBicubicResize({ ...pil.input, channels: 1 }, expected).data;
    let maxDiff = 0;
    for (let i = 0; i < expected.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected.data[i]!));
    assert.ok(maxDiff < 1e-4, `${expected.height}x${expected.width}: max diff ${maxDiff} (values 0..255)`);
  }
});

test('pilBicubicResize keeps constants constant and interleaved channels independent', () => {
  const data = new Float32Array(10 * 8 * 2);
  for (let i = 0; i < 80; i++) {
    data[2 * i] = 42;
    data[2 * i + 1] = -3;
  }
  const out = pilBicubicResize({ data, height: 10, width: 8, channels: 2 }, { height: 3, width: 17 });
  for (let i = 0; i < out.data.length; i += 2) {
    assert.ok(Math.abs(out.data[i]! - 42) < 1e-5);
    assert.ok(Math.abs(out.data[i + 1]! + 3) < 1e-5);
  }
});
