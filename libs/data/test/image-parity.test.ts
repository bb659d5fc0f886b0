import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadImage, pilResize, type CropSpec } from '../src/index.js';
import { byteDiff, FIXTURES } from './helpers.js';

interface Manifest {
  size: number;
  cases: { source: string; decoded?: string; width: number; height: number; crops: Record<'center' | 'adm', string> }[];
  resizes: { source: string; filter: 'box' | 'bilinear' | 'bicubic'; width: number; height: number; file: string }[];
}
const dir = path.join(FIXTURES, 'images');
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
const read = (name: string): Buffer => fs.readFileSync(path.join(dir, name));

test('decoding matches Pillow exactly (JPEG, PNG, grey, EXIF orientation)', async () => {
  for (const c of manifest.cases) {
    const image = await loadImage(read(c.source));
    assert.deepEqual([image.width, image.height, image.channels], [c.width, c.height, 3], c.source);
    if (!c.decoded) continue;
    const reference = await loadImage(read(c.decoded));
    assert.equal(byteDiff(image.data, reference.data).max, 0, `${c.source}: decoded pixels differ from Pillow`);
  }
});

test('pilResize is bit-exact with Pillow 9.4 (box, bilinear, bicubic; down and up)', async () => {
  const source = await loadImage(read(manifest.resizes[0]?.source ?? ''));
  for (const r of manifest.resizes) {
    const ours = pilResize(source, r.width, r.height, r.filter);
    const reference = await loadImage(read(r.file));
    assert.equal(byteDiff(ours.data, reference.data).max, 0, `${r.file}`);
  }
});

test("crop protocols vs Pillow: 'pil' kernels exact, sharp kernels close", async (t) => {
  const S = manifest.size;

  for (const c of manifest.cases) {
    for (const protocol of ['center', 'adm'] as const) {
      const crop: CropSpec = { protocol, size: S };
      const reference = await loadImage(read(c.crops[protocol]));
      const exact = await loadImage(read(c.source), { crop, resampler: 'pil' });
      assert.equal(byteDiff(exact.data, reference.data).max, 0, `${c.source} ${protocol} with pil kernels`);
      const fast = await loadImage(read(c.source), { crop });
      assert.deepEqual([fast.width, fast.height], [S, S]);
      const diff = byteDiff(fast.data, reference.data);
      t.diagnostic(`${c.source} ${protocol}: sharp vs PIL mean |Δ| ${diff.mean.toFixed(3)}, max ${diff.max}`);
      assert.ok(diff.mean < 1.0, `${c.source} ${protocol}: mean abs diff ${diff.mean} per channel value`);
    }
  }

});
