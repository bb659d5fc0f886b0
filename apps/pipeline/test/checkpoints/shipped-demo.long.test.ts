import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { readJson, runCli, tempDir } from '../cli/helpers.js';
import { escapeRegExp, writeDemoImages } from './fixtures.js';

let root: { dir: string; cleanup: () => void };
let checkpoint: string;
before(async () => {
  root = tempDir('vqrae-demo-ck-');
  checkpoint = path.join(root.dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  await saveCheckpoint(model, checkpoint, { dtype: 'F16' });
  model.dispose();
});
after(() => root.cleanup());

describe('demo on a checkpoint file (long: eval with FD + a fine-tuning run)', () => {
  test('--steps eval,tokens,train: every step uses --checkpoint, names it, and train fine-tunes it (--init)', async () => {
    const images = await writeDemoImages(path.join(root.dir, 'images'));
    const out = path.join(root.dir, 'demo');
    const run = await runCli(['demo', '--steps', 'eval,tokens,train', '--images', images, '--checkpoint', checkpoint, '--seed', '1', '--out', out, '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    const label = escapeRegExp(`${checkpoint} (sha256 `);
    // eval runs on the held-out photographs (assets/photos, --eval-data's default), not on --images.
    assert.match(run.stdout, new RegExp(`^eval: ${label}[0-9a-f]{12}…\\) on 124 held-out photographs \\(assets/photos\\), PSNR [\\d.]+ dB`, 'm'));
    assert.match(run.stdout, new RegExp(`^tokens: ${label}[0-9a-f]{12}…\\): 4 images → 4 × 64 tokens`, 'm'));
    assert.match(run.stdout, new RegExp(`^train: fine-tuned ${label}[0-9a-f]{12}…\\), stage 1, \\d+ steps \\(batch 2, 2 training images, fresh optimizer\\)`, 'm'));
    assert.match(run.stdout, /^demo: ok \(3\/3 steps\)/m);
    assert.equal((readJson(path.join(out, 'train', 'train-config.json')) as { init: string }).init, checkpoint);
    assert.equal((readJson(path.join(out, 'eval', 'config.json')) as { options: { checkpoint: string } }).options.checkpoint, checkpoint);
    assert.ok(fs.existsSync(path.join(out, 'eval', 'report.html')));
  });
});
