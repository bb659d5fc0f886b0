import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CodebookUsage, computeEvalSummary, evalSummaryValues, FeatureMoments, formatEvalSummary, frechetDistance, imageMetricColumns, namedFeatureSpace, ssimSelection, type FeatureSpace } from '../../src/index.js';

function moments(seed: number, n: number, dim: number): FeatureMoments {
  const m = new FeatureMoments(dim);
  const rows = new Float64Array(n * dim);
  for (let i = 0; i < rows.length; i++) rows[i] = Math.sin(seed * 12.9898 + i * 78.233) * 0.5 + (i % dim) * 0.01 * seed;
  m.add(rows, n);
  return m;
}

async function summaryFor(space: FeatureSpace) {
  const codebook = new CodebookUsage(8);
  codebook.add([0, 1, 1, 2]);
  const ssim = ssimSelection('skimage', 'torchmetrics');
  return computeEvalSummary({
    nImages: 40,
    columns: imageMetricColumns(ssim),
    metrics: { psnr: { count: 40, mean: 21.5, min: 20, max: 23 }, ssim: { count: 40, mean: 0.7, min: 0.6, max: 0.8 }, ssim_torchmetrics: { count: 40, mean: 0.72, min: 0.6, max: 0.8 } },
    state: { codebook, reconstructionMoments: moments(1, 40, 6), referenceMoments: moments(2, 40, 6) },
    space,
    reference: { kind: 'moments' },
  });
}

test('summary: FID-Inception statistics are labelled rFID[variant], any other network FD[name] with a NOT-FID note', async () => {
  const fid = await summaryFor({ kind: 'fid-inception', variant: 'torch-fidelity' });
  assert.equal(fid.frechet?.label, 'rFID[torch-fidelity]');
  assert.equal(fid.frechet?.result.distance, frechetDistance(moments(1, 40, 6).toGaussian(), moments(2, 40, 6).toGaussian()).distance);
  const text = formatEvalSummary(fid, 'title');
  assert.match(text, /rFID\[torch-fidelity\]\s+\d+\.\d{4}\s+\(n = 40 vs 40/);
  assert.match(text, /ssim \(skimage\)\s+0\.70000/);
  assert.match(text, /ssim_torchmetrics\s+0\.72000/);
  assert.match(text, /biased upward at small n/);
  assert.doesNotMatch(text, /NOT FID/);
  assert.match(text, /codebook utilisation\s+37\.50 %\s+\(3\/8 used, 5 dead\)/);
  const named = await summaryFor(namedFeatureSpace('mobilenetv2-imagenet-stride16'));
  assert.equal(named.frechet?.label, 'FD[mobilenetv2-imagenet-stride16]');
  assert.match(formatEvalSummary(named, 'title'), /NOT FID/);
  const values = evalSummaryValues(named);
  assert.deepEqual(values.slice(0, 4).map((v) => v.name), ['n_images', 'psnr_mean', 'ssim_mean', 'ssim_torchmetrics_mean']);
  assert.equal(values.find((v) => v.name === 'frechet_distance')?.label?.startsWith('FD[mobilenetv2-imagenet-stride16]'), true);
});
