import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../cli/helpers.js';
import { tempDir, writeSyntheticShards } from '../../../../tools/testing/synthetic-shards.js';

let dir = '';
let data = '';
before(async () => {
  dir = await tempDir('dry-run');
  data = await writeSyntheticShards(path.join(dir, 'shards'), 'tr', 4, 4);
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('train --dry-run prints the training graph with its named hooks and trains nothing (issue 12.3)', async () => {
  const out = path.join(dir, 'run');
  const run = await runCli(['train', '--preset', 'tiny', '--data', data, '--eval-data', data, '--steps', '4', '--batch', '2',
    '--checkpoint-every', '2', '--eval-every', '2', '--decode-mode', 'exact', '--out', out, '--dry-run']);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /train: .* → decode\(sharp\) → random-resized\(32, .*\) → batch\(2, pixel01\) → train-step\(.*steps 4\) ⇒ hooks \[checkpoint\(every 2, at end, keep 2\) \| eval\(every 2, at start, at end, EMA on 4 held-out images, preview every 500\)\] → arrow-log/);
  for (const file of ['checkpoints', 'log', 'eval.jsonl', 'previews', 'train-config.json', 'model-ema.safetensors']) {
    assert.equal(fs.existsSync(path.join(out, file)), false, `${file} not written under --dry-run`);
  }
});
