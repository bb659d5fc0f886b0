import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  foldIndex,
  pixel01Image,
  psnr,
  RunningMean,
  ssim,
  SSIM_VARIANT_NAMES,
  ssimByName,
  ssimSkimage,
  ssimTorchmetrics,
  hostImageBytes,
  uint8Image,
} from '../../src/index.js';

function ramp(h: number, w: number, c: number, f: (i: number) => number): Uint8Array {
  return Uint8Array.from({ length: h * w * c }, (_, i) => f(i));
}

describe('PSNR', () => {
  it('equals −10·log10(MSE) for a known difference', () => {
    const a = uint8Image(ramp(4, 4, 3, (i) => (i * 7) % 200), 4, 4, 3);
    const b = uint8Image(a.data.map((v, i) => (i % 2 === 0 ? v + 10 : v)), 4, 4, 3);
    const mse = (24 * 100) / 48 / 255 ** 2;
    assert.ok(Math.abs(psnr(a, b) - -10 * Math.log10(mse)) < 1e-12);
  });

  it('identical images give 100 dB (MSE floor 1e−10), not Infinity', () => {
    const a = uint8Image(ramp(3, 5, 1, (i) => i), 3, 5, 1);
    assert.equal(psnr(a, a), 100);
  });

  it('rounds pixel01 floats half up to uint8 before scoring', () => {
    const f = pixel01Image(Float32Array.of(0, 0.5 / 255, 1.49 / 255, 1.5 / 255, 1.2, -0.3), 1, 2, 3);
    assert.deepEqual(Array.from(hostImageBytes(f)), [0, 1, 1, 2, 255, 0]);
    const u = uint8Image(Uint8Array.of(0, 1, 1, 2, 255, 0), 1, 2, 3);
    assert.equal(psnr(f, u), 100);
  });

  it('mean over images, not PSNR of the mean MSE', () => {
    const mean = new RunningMean();
    mean.add(20);
    mean.add(40);
    assert.equal(mean.mean, 30);
    assert.throws(() => mean.add(Number.NaN), /finite/);
  });

  it('rejects images of different shapes, naming the function', () => {
    assert.throws(() => psnr(uint8Image(new Uint8Array(12), 2, 2, 3), uint8Image(new Uint8Array(12), 2, 3, 2)), /psnr: images differ in shape/);
  });
});

describe('SSIM basics', () => {
  const noise = ramp(24, 20, 3, (i) => (i * 2654435761) % 251);
  const a = uint8Image(noise, 24, 20, 3);
  it('identical images score exactly 1 in every variant', () => {
    const scores = ssimByName(a, a, SSIM_VARIANT_NAMES);
    for (const name of SSIM_VARIANT_NAMES) assert.equal(scores[name], 1, name);
  });

  it('constant images: luminance term only', () => {
    const x = uint8Image(new Uint8Array(16 * 16).fill(100), 16, 16, 1);
    const y = uint8Image(new Uint8Array(16 * 16).fill(150), 16, 16, 1);
    const mx = 100 / 255;
    const my = 150 / 255;
    for (const dataRange of [1, 2]) {
      const c1 = (0.01 * dataRange) ** 2;
      const expected = (2 * mx * my + c1) / (mx * mx + my * my + c1);
      assert.ok(Math.abs(ssimTorchmetrics(x, y, { dataRange }) - expected) < 1e-12);
      assert.ok(Math.abs(ssimSkimage(x, y, { dataRange }) - expected) < 1e-12);
    }
  });

  it('uint8 and the equivalent pixel01 float image score the same', () => {
    const b = uint8Image(noise.map((v) => 255 - v), 24, 20, 3);
    const f = pixel01Image(Float64Array.from(b.data, (v) => v / 255), 24, 20, 3);
    assert.equal(ssim(a, b), ssim(a, f));
  });

  it('boundary folding: mirror (torch reflect) vs symmetric (scipy reflect)', () => {
    assert.deepEqual([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => foldIndex(i, 4, 'mirror')), [3, 2, 1, 0, 3, 2, 1, 0]);
    assert.deepEqual([-3, -2, -1, 0, 3, 4, 5, 6].map((i) => foldIndex(i, 4, 'symmetric')), [2, 1, 0, 0, 3, 3, 2, 1]);
  });

  it('too-small images for the border crop fail with a clear message', () => {
    const tiny = uint8Image(new Uint8Array(6 * 6), 6, 6, 1);
    assert.throws(() => ssimSkimage(tiny, tiny), /too small for a 3-pixel border crop/);
  });
});
