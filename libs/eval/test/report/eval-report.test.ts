import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { namedFeatureSpace } from '../../src/fid/feature-space.js';
import { CodebookUsage } from '../../src/metrics/codebook-usage.js';
import { pixel01Image, uint8Image } from '../../src/metrics/host-image.js';
import { renderEvalReport, writeEvalReport, type EvalReportInput } from '../../src/report/eval-report.js';
import { makeProvenance } from '../../src/sinks/provenance.js';

function pattern(h: number, w: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: h * w * 3 }, (_, i) => (i * 31 + seed * 17 + ((i / 3) | 0) % w) % 256);
}

function reportInput(): EvalReportInput {
  const usage = new CodebookUsage(1000);
  usage.add(Array.from({ length: 5000 }, (_, i) => (i * 3) % 700)); // codes 0..699 used, 300 dead
  const original = uint8Image(pattern(16, 24, 1), 16, 24, 3);
  const recon = pixel01Image(Float32Array.from(pattern(16, 24, 2), (v) => v / 255), 16, 24, 3);
  return {
    title: 'tiny eval <run-1>',
    metrics: [
      { name: 'PSNR', value: 22.23, unit: 'dB', digits: 2, note: 'mean of per-image PSNR' },
      { name: 'SSIM', value: 0.76213, unit: '1', note: 'torchmetrics, border full' },
      { name: 'rFID[torch-fidelity]', value: 1.3149, unit: '1', digits: 2 },
    ],
    protocol: {
      nImages: 2,
      frechet: { space: { kind: 'fid-inception', variant: 'torch-fidelity', weightsSha256: 'f'.repeat(64) }, use: 'reconstruction' },
      ssimVariant: 'torchmetrics (gaussian 11x11, σ 1.5, data_range 1, border full)',
      uint8Rounding: 'round-half-up',
      ema: true,
      extra: { codebook: '16384 × 1536' },
    },
    previews: [
      { key: 'img<script>0', original, reconstruction: recon, caption: 'PSNR 22.1 dB' },
      { key: 'img1', original: recon, reconstruction: original },
    ],
    codeUsage: usage,
    lossCurves: [
      { name: 'l2', points: Array.from({ length: 50 }, (_, i) => ({ step: i * 10, value: 1 / (1 + i) })) },
      { name: 'vq', points: Array.from({ length: 50 }, (_, i) => ({ step: i * 10, value: 0.5 + 0.1 * Math.sin(i) })) },
    ],
    provenance: makeProvenance({ tool: 'vqrae eval', command: ['vqrae', 'eval'], config: { a: 1 } }),
  };
}

test('report: metric table values with units, protocol labels (§8.7), escaped keys', async () => {
  const html = await renderEvalReport(reportInput());
  assert.match(html, /^<!DOCTYPE html>/);
  assert.match(html, /<title>tiny eval &lt;run-1&gt;<\/title>/);
  assert.match(html, /<td>PSNR<\/td><td class="num">22\.23<\/td><td>dB<\/td>/);
  assert.match(html, /<td>SSIM<\/td><td class="num">0\.7621<\/td><td>1<\/td>/);
  assert.match(html, /<td>rFID\[torch-fidelity\]<\/td><td class="num">1\.31<\/td>/);
  assert.match(html, /images \(n\)<\/td><td>2<\/td>/);
  assert.match(html, /rFID\[torch-fidelity\]: FID-Inception-v3 pool3/);
  assert.match(html, /uint8 rounding<\/td><td>round-half-up/);
  assert.match(html, /EMA weights<\/td><td>yes/);
  assert.match(html, /SSIM variant<\/td><td>torchmetrics \(gaussian 11x11/);
  assert.match(html, /biased upward/);
  assert.ok(!html.includes('img<script>'), 'sample keys must be escaped');
  assert.match(html, /img&lt;script&gt;0/);
  assert.ok(!/<script/i.test(html), 'no scripts: the report is static');
  assert.ok(!/https?:\/\/(?!www\.w3\.org)/.test(html.replace(/"\$schema"[^,]*/g, '')), 'no external resources');
});

test('report: charts are valid SVG (librsvg via sharp rasterises them) and show usage figures', async () => {
  const html = await renderEvalReport(reportInput());
  const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(svgs.length, 2, 'code-usage histogram and loss curves');
  for (const svg of svgs) {
    const meta = await sharp(Buffer.from(svg)).metadata();
    assert.equal(meta.format, 'svg');
    assert.ok((meta.width ?? 0) > 100 && (meta.height ?? 0) > 100);
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    assert.ok(png.length > 1000);
  }
  assert.match(svgs[0]!, /700\/1000 used \(70\.0%\), 300 dead/);
  assert.match(svgs[1]!, /vq/);
});

test('report: original/reconstruction PNGs are embedded losslessly', async () => {
  const input = reportInput();
  const html = await renderEvalReport(input);
  const uris = [...html.matchAll(/src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1]!, 'base64'));
  assert.equal(uris.length, 4);
  const { data, info } = await sharp(uris[0]!).raw().toBuffer({ resolveWithObject: true });
  assert.deepEqual([info.width, info.height, info.channels], [24, 16, 3]);
  assert.deepEqual(new Uint8Array(data), pattern(16, 24, 1));
  const recon = await sharp(uris[1]!).raw().toBuffer();
  assert.deepEqual(new Uint8Array(recon), pattern(16, 24, 2), 'pixel01 reconstruction rounds back to its uint8 values');
});

test('report without FID-Inception weights labels the FD honestly; writeEvalReport writes the file', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eval-report-'));
  try {
    const base = reportInput();
    const input: EvalReportInput = {
      ...base,
      metrics: [{ name: 'FD[mobilenetv2-imagenet-stride16]', value: 12.5, unit: '1' }],
      protocol: { ...base.protocol, frechet: { space: namedFeatureSpace('mobilenetv2-imagenet-stride16'), use: 'reconstruction' } },
      previews: [], lossCurves: [],
    };
    const file = path.join(dir, 'report.html');
    await writeEvalReport(file, input);
    const html = await readFile(file, 'utf8');
    assert.match(html, /FD\[mobilenetv2-imagenet-stride16\]: Fréchet distance in the &#39;mobilenetv2-imagenet-stride16&#39; feature space/);
    assert.match(html, /is NOT FID/);
    assert.ok(!html.includes('rFID['), 'no rFID label without FID-Inception');
    assert.ok(!html.includes('Reconstructions</h2>') && !html.includes('Loss curves</h2>'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
