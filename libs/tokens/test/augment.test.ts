import assert from 'node:assert/strict';
import { test } from 'node:test';
import { augmentViews, fiveCrop, flipHorizontal, protocolSize, viewsPerImage, type RgbPixels } from '../src/augment/views.js';

/** W×H image whose pixel (y, x) is (y, x, y·W + x mod 256). */
function ramp(w: number, h: number): RgbPixels {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([y, x, (y * w + x) % 256], (y * w + x) * 3);
  return { data, width: w, height: h, channels: 3 };
}
const at = (img: RgbPixels, y: number, x: number): number[] => [...img.data.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];

test('flip mirrors columns and is its own inverse', () => {
  const img = ramp(5, 3);
  const f = flipHorizontal(img);
  assert.deepEqual(at(f, 1, 0), at(img, 1, 4));
  assert.deepEqual(at(f, 2, 3), at(img, 2, 1));
  assert.deepEqual(flipHorizontal(f).data, img.data);
  assert.deepEqual(augmentViews(img, 'flip', 5).map((v) => v.aug), ['none', 'flip']);
});

test('five_crop follows torchvision: corners, then center with half-to-even offsets', () => {
  const img = ramp(7, 6); // (h − 4)/2 = 1, (w − 4)/2 = 1.5 → round half to even = 2
  const crops = fiveCrop(img, 4);
  assert.deepEqual(crops.map((c) => at(c, 0, 0).slice(0, 2)), [[0, 0], [0, 3], [2, 0], [2, 3], [1, 2]]);
  assert.deepEqual(at(crops[3]!, 3, 3).slice(0, 2), [5, 6]);
});

test('tencrop: ⌊1.1·S⌋ protocol, five crops of the image then five of its mirror', () => {
  assert.equal(protocolSize('tencrop', 256), 281);
  assert.equal(protocolSize('flip', 256), 256);
  assert.equal(viewsPerImage('tencrop'), 10);
  const img = ramp(6, 6);
  const views = augmentViews(img, 'tencrop', 4);
  assert.deepEqual(views.map((v) => v.aug), ['tencrop-0', 'tencrop-1', 'tencrop-2', 'tencrop-3', 'tencrop-4', 'tencrop-5', 'tencrop-6', 'tencrop-7', 'tencrop-8', 'tencrop-9']);
  // Mirror's top-left crop is the mirror of the original's top-right crop.
  assert.deepEqual(views[5]!.image.data, flipHorizontal(views[1]!.image).data);
  assert.deepEqual(views[9]!.image.data, flipHorizontal(views[4]!.image).data);
  assert.throws(() => fiveCrop(img, 7), /five_crop: 7 is larger than the 6×6 image/);
});

test('tencrop matches torchvision 0.14 TenCrop exactly (first pixel of each view; H=6, W=7, S=4 and 281 → 256)', () => {
  // From torchvision.transforms.TenCrop(4) on a [3, 6, 7] tensor with channel 0 = y, channel 1 = x (run once with
  // Debian's python3-torchvision 0.14.1; numbers copied here so CI needs no Python).
  const torchvision = [[0, 0], [0, 3], [2, 0], [2, 3], [1, 2], [0, 6], [0, 3], [2, 6], [2, 3], [1, 4]];
  const views = augmentViews(ramp(7, 6), 'tencrop', 4);
  assert.deepEqual(views.map((v) => at(v.image, 0, 0).slice(0, 2)), torchvision);
  // TenCrop(256) of a 281² image: the center crop starts at row 12 (round(12.5) = 12, half to even).
  assert.equal(at(fiveCrop(ramp(281, 281), 256)[4]!, 0, 0)[0], 12);
});
