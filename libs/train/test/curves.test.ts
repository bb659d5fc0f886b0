import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { test } from 'node:test';
import { writeLossCurves } from '../src/curves.js';
import { tempDir } from './fixtures.js';

test('loss curves: losses, discriminator and GAN diagnostics in separate panels; inactive (NaN) steps left out', async () => {
  const rows = Array.from({ length: 20 }, (_, i) => ({
    step: i + 1,
    loss: 1 / (i + 1),
    loss_l2: 0.5 / (i + 1),
    'loss_adversarial.E_T-disc.g': i < 10 ? Number.NaN : 0.3,
    'loss_E_T-disc.d_hinge': i < 5 ? Number.NaN : 0.9,
    'loss_E_T-disc.d_accuracy': i < 5 ? Number.NaN : 0.55,
    'loss_gan.adaptive_weight': i < 10 ? Number.NaN : 2,
  }));
  const dir = await tempDir('curves');
  try {
    const { svg, png } = await writeLossCurves(rows, [{ step: 0, psnr: 9, utilisation: 0.1, perplexity: 5, driftMse: null }, { step: 20, psnr: 12, utilisation: 0.4, perplexity: 40, driftMse: null }], dir, { title: 'toy', smooth: 1 });
    const text = await fs.readFile(svg, 'utf8');
    for (const title of ['toy: training losses', 'toy: discriminator step', 'toy: GAN diagnostics', 'toy: held-out PSNR']) assert.ok(text.includes(title), title);
    // Legend labels drop the log's `loss_` prefix; no NaN reaches the SVG paths.
    assert.ok(text.includes('E_T-disc.d_accuracy') && !text.includes('loss_E_T-disc'));
    assert.ok(!/NaN/.test(text));
    assert.ok((await fs.stat(png)).size > 1000);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
