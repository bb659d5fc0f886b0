import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listImageFiles, packImages } from '@vqrae/data';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vqrae = (args: readonly string[]) =>
  spawnSync(process.execPath, [path.join(root, 'apps/pipeline/bin/vqrae.mjs'), ...args], { cwd: root, encoding: 'utf8' });

test('the vqrae binary evaluates a tiny checkpoint on packed bundled images and merges the run', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-e2e-eval-'));
  try {
    const checkpoint = path.join(dir, 'tiny.safetensors');
    const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
    await saveCheckpoint(model, checkpoint);
    model.dispose();
    const files = (await listImageFiles(path.join(root, 'assets/images'))).slice(0, 4);
    await packImages(files, { pattern: path.join(dir, 'val-%03d.tar'), maxSamples: 2 });
    const out = path.join(dir, 'eval');
    const r = vqrae(['eval', '--checkpoint', checkpoint, '--data', path.join(dir, 'val-{000..001}.tar'), '--fd-network', 'encoder', '--out', out]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /FD\[checkpoint-encoder-[0-9a-f]{12}\]\s+\d+\.\d+\s+\(n = 4 vs 4/);
    assert.match(r.stdout, /codebook utilisation/);
    for (const f of ['metrics.arrow', 'summary.arrow', 'summary.json', 'report.html', 'reconstruction-stats.npz']) assert.ok(fs.existsSync(path.join(out, f)), f);
    const m = vqrae(['merge-eval', out, '--out', path.join(dir, 'merged')]);
    assert.equal(m.status, 0, m.stderr + m.stdout);
    assert.match(m.stdout, /1 rank merged/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
