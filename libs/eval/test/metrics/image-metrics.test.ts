import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { psnr, SSIM_VARIANT_NAMES, SsimScorer, SSIM_VARIANTS, type SsimVariantName } from '../../src/index.js';
import { loadFixtureImage, METRIC_FIXTURES } from './load-fixture-image.js';

interface FixturePair {
  reference: string;
  candidate: string;
  psnr: number;
  ssim: Record<SsimVariantName, number>;
  ssim_float64: Record<'torchmetrics' | 'torchmetrics-crop', number>;
}
const fixture = JSON.parse(fs.readFileSync(path.join(METRIC_FIXTURES, 'image-metrics.json'), 'utf8')) as { pairs: FixturePair[] };

describe('PSNR and SSIM match the reference tools on photo fixtures (tools/fixtures/eval/make_image_metric_fixtures.py)', () => {
  const scorer = new SsimScorer(SSIM_VARIANTS);
  for (const pair of fixture.pairs) {
    it(`${pair.candidate} vs ${pair.reference}`, async () => {
      const a = await loadFixtureImage(pair.reference);
      const b = await loadFixtureImage(pair.candidate);
      assert.ok(Math.abs(psnr(a, b) - pair.psnr) < 1e-9, `psnr ${psnr(a, b)} vs ${pair.psnr}`);
      const got = scorer.score(a, b);
      for (const name of SSIM_VARIANT_NAMES) {
        // skimage references are float64; torchmetrics ones are float32 torch (differ from float64 by ≤ 2e-5).
        const tol = name.startsWith('torchmetrics') ? 3e-5 : 1e-9;
        assert.ok(Math.abs(got[name] - pair.ssim[name]) < tol, `${name}: ${got[name]} vs ${pair.ssim[name]}`);
      }
      for (const name of ['torchmetrics', 'torchmetrics-crop'] as const) {
        assert.ok(Math.abs(got[name] - pair.ssim_float64[name]) < 1e-9, `${name} float64: ${got[name]} vs ${pair.ssim_float64[name]}`);
      }
    });
  }
});
