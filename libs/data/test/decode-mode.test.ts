/**
 * `decodeMode: 'fast'` (shrink-on-load) against `exact` (full decode) on large photographs: the accuracy contract
 * (`FAST_DECODE_CONTRACT.minPsnrDb` on every image), and fast = exact wherever shrink-on-load does not apply.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import sharp from 'sharp';
import { FAST_DECODE_CONTRACT, loadImage, type CropSpec, type RgbImage } from '../src/index.js';
import { largePhotoJpeg } from '../../../tools/testing/large-photos.js';

function psnr(a: RgbImage, b: RgbImage): number {
  assert.equal(a.width, b.width);
  assert.equal(a.height, b.height);
  let squared = 0;
  for (let i = 0; i < a.data.length; i++) squared += (a.data[i]! - b.data[i]!) ** 2;
  const mse = squared / a.data.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

describe('decode modes on large photographs (2048×1536 JPEG q90)', () => {
  const photos: Buffer[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++) photos.push(await largePhotoJpeg(i));
  });

  for (const crop of [
    { protocol: 'center', size: 256 },
    { protocol: 'exact', size: 512 },
    { protocol: 'random-crop', size: 256, resizeTo: 288, seed: 3 },
    { protocol: 'adm', size: 256 }, // 2 box halvings ↔ libjpeg scale 1/4 (2048 and 1536 divisible by 4)
  ] satisfies CropSpec[]) {
    it(`fast is within the contract of exact: ${JSON.stringify(crop)}`, async () => {
      for (const [i, jpeg] of photos.entries()) {
        const exact = await loadImage(jpeg, { crop, decodeMode: 'exact' }, `p${i}`);
        const fast = await loadImage(jpeg, { crop, decodeMode: 'fast' }, `p${i}`);
        const db = psnr(fast, exact);
        assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb, `photo ${i}: PSNR fast vs exact ${db.toFixed(2)} dB < ${FAST_DECODE_CONTRACT.minPsnrDb}`);
        assert.ok(db < Infinity, `photo ${i}: fast should take the shrink-on-load path (identical output)`);
      }
    });
  }

  it('WebP: fast is within the contract of exact (1024×768 → center 256)', async () => {
    const webp = await sharp(await largePhotoJpeg(4, 1024, 768)).webp({ quality: 90 }).toBuffer();
    const crop = { protocol: 'center', size: 256 } as const;
    const db = psnr(await loadImage(webp, { crop, decodeMode: 'fast' }), await loadImage(webp, { crop, decodeMode: 'exact' }));
    assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb, `PSNR ${db.toFixed(2)} dB`);
  });

  it('EXIF orientation: fast follows the rotated geometry (portrait 1536×2048 → center 256)', async () => {
    const rotated = await sharp(photos[1]).withMetadata({ orientation: 6 }).jpeg({ quality: 90 }).toBuffer();
    const crop = { protocol: 'center', size: 256 } as const;
    const exact = await loadImage(rotated, { crop, decodeMode: 'exact' });
    const fast = await loadImage(rotated, { crop, decodeMode: 'fast' });
    const db = psnr(fast, exact);
    assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb && db < Infinity, `PSNR ${db.toFixed(2)} dB`);
  });

  it('fast equals exact bit for bit where shrink-on-load does not apply', async () => {
    const jpeg = photos[0]!;
    const cases: CropSpec[] = [
      { protocol: 'exact', size: 1024 }, // reduction 1.5 < 2
      { protocol: 'random-resized', size: 256, seed: 1 }, // source window: the exact path
    ];
    for (const crop of cases) {
      const fast = await loadImage(jpeg, { crop, decodeMode: 'fast' }, 'k');
      const exact = await loadImage(jpeg, { crop, decodeMode: 'exact' }, 'k');
      assert.deepEqual(Buffer.from(fast.data), Buffer.from(exact.data), JSON.stringify(crop));
    }
    // ADM on sides not divisible by 2^halvings: the halvings drop an edge pixel that shrink-on-load keeps → exact path
    const odd = await largePhotoJpeg(6, 1027, 771);
    const admOdd = { protocol: 'adm', size: 256 } as const;
    assert.deepEqual(Buffer.from((await loadImage(odd, { crop: admOdd, decodeMode: 'fast' })).data), Buffer.from((await loadImage(odd, { crop: admOdd })).data), 'adm, 1027×771');
    const pil = { protocol: 'center', size: 256 } as const;
    const medium = await largePhotoJpeg(5, 1024, 768); // reduction 3, and the TypeScript resampler stays quick
    const fastPil = await loadImage(medium, { crop: pil, decodeMode: 'fast', resampler: 'pil' });
    const exactPil = await loadImage(medium, { crop: pil, resampler: 'pil' });
    assert.deepEqual(Buffer.from(fastPil.data), Buffer.from(exactPil.data), 'pil resampler: always exact');
  });

  it('fastHeadroom: a smaller DCT scale and the exact cubic for ≥ that factor: closer to exact, within the contract; below a reduction of 2 it is exact', async () => {
    const crop = { protocol: 'center', size: 256 } as const; // reduction 6: default fast = DCT 1/4 + cubic 1.5
    for (const [i, jpeg] of photos.entries()) {
      const exact = await loadImage(jpeg, { crop, decodeMode: 'exact' }, `p${i}`);
      const fast = psnr(await loadImage(jpeg, { crop, decodeMode: 'fast' }, `p${i}`), exact);
      const roomy = await loadImage(jpeg, { crop, decodeMode: 'fast', fastHeadroom: 2 }, `p${i}`); // DCT 1/2, then 3×
      assert.deepEqual([roomy.width, roomy.height], [256, 256]);
      const db = psnr(roomy, exact);
      assert.ok(db >= FAST_DECODE_CONTRACT.minPsnrDb && db < Infinity, `photo ${i}: fastHeadroom 2 vs exact ${db.toFixed(2)} dB`);
      assert.ok(db > fast, `photo ${i}: fastHeadroom 2 (${db.toFixed(2)} dB) is closer to exact than the default fast (${fast.toFixed(2)} dB)`);
      // 6 / 3.5 < 2: no reduced decode left, so the exact path, bit for bit
      assert.deepEqual(Buffer.from((await loadImage(jpeg, { crop, decodeMode: 'fast', fastHeadroom: 3.5 }, `p${i}`)).data), Buffer.from(exact.data));
    }
    await assert.rejects(loadImage(photos[0]!, { crop, decodeMode: 'fast', fastHeadroom: 0.5 }), /fastHeadroom must be ≥ 1, got 0.5/);
  });

  it('exact is the default', async () => {
    const crop = { protocol: 'center', size: 256 } as const;
    const implicit = await loadImage(photos[1]!, { crop });
    const explicit = await loadImage(photos[1]!, { crop, decodeMode: 'exact' });
    assert.deepEqual(Buffer.from(implicit.data), Buffer.from(explicit.data));
  });
});
