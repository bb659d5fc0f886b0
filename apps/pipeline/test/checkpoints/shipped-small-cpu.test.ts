import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { sha256File } from '@vqrae/nn';
import { findShippedCheckpoint } from '@vqrae/tokenizer';
import { HELD_OUT_PHOTOS } from '../../src/demo/options.js';
import { runCli } from '../cli/helpers.js';
import { fixtureFile, measureShippedFixture, REFRESH_COMMAND, type ShippedFixture } from '../../../../tools/testing/shipped-fixture.js';

const NAME = 'small-cpu';

describe('the shipped small-cpu checkpoint (issue 15.5 regression)', () => {
  const entry = findShippedCheckpoint(NAME);
  const fixture = JSON.parse(fs.readFileSync(fixtureFile(NAME), 'utf8')) as ShippedFixture;

  test('its file matches the sha256 of its card, and the committed fixture was measured on it', async () => {
    assert.ok(entry, `assets/checkpoints/${NAME}.json is missing`);
    assert.equal(await sha256File(entry.file), entry.sha256, `${entry.file} does not match its card ${entry.card}`);
    assert.equal(fixture.sha256, entry.sha256, `${fixtureFile(NAME)} was measured on another ${NAME} checkpoint; regenerate it: ${REFRESH_COMMAND}`);
  });

  test('the ten bundled images (centre crop at the preset’s 224 px) give exactly the committed token ids, PSNR above the floor; no tensor leaks', async () => {
    assert.ok(entry);
    const before = tf.memory().numTensors;
    const measured = await measureShippedFixture(entry.file, NAME);
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(measured.protocol, { crop: 'center', size: 224 });
    assert.deepEqual(measured.images.map((i) => i.key), fixture.images.map((i) => i.key));
    assert.equal(measured.images.length, 10);
    for (const [b, image] of measured.images.entries()) {
      assert.deepEqual(image.tokens, fixture.images[b]!.tokens, `${image.key}: token ids differ from ${fixtureFile(NAME)} (if the change is intended: ${REFRESH_COMMAND})`);
    }
    assert.ok(measured.meanPsnr >= fixture.psnrFloor, `mean PSNR ${measured.meanPsnr.toFixed(3)} dB is below the floor ${fixture.psnrFloor.toFixed(3)} dB`);
  });

  test('on the committed held-out photographs (assets/photos, what npm start evaluates): PSNR ≥ 18 dB, SSIM[torchmetrics] ≥ 0.45, utilisation ≥ 80% (issue 15 goals)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'shipped-heldout-'));
    try {
      const run = await runCli(['eval', '--checkpoint', NAME, '--data', HELD_OUT_PHOTOS, '--crop', 'center', '--batch', '16', '--previews', '0', '--ssim-extra', 'none', '--engine', 'tfjs', '--quiet', '--out', out]);
      assert.equal(run.code, 0, run.stderr);
      const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { eval: { images: number; metrics: Record<string, { mean: number }>; codebook: { utilization: number } } };
      assert.equal(summary.eval.images, 124);
      const psnr = summary.eval.metrics.psnr!.mean;
      assert.ok(psnr >= 18, `held-out PSNR ${psnr.toFixed(3)} dB is below the 18 dB goal`);
      assert.ok(Math.abs(psnr - 19.541) < 0.01, `held-out PSNR ${psnr.toFixed(3)} dB differs from the 19.541 dB in assets/checkpoints/README.md`);
      const ssim = summary.eval.metrics.ssim!.mean;
      assert.ok(ssim >= 0.45, `held-out SSIM[torchmetrics] ${ssim.toFixed(4)} is below the 0.45 goal`);
      assert.ok(Math.abs(ssim - 0.462) < 0.001, `held-out SSIM ${ssim.toFixed(4)} differs from the 0.462 in assets/checkpoints/README.md`);
      assert.ok(summary.eval.codebook.utilization >= 0.8, `utilisation ${summary.eval.codebook.utilization}`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
