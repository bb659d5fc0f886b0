import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readSavedTrainConfig, resumedTrainConfig, trainDefaults, type TrainJobConfig } from '../src/index.js';

const base = (): TrainJobConfig => ({
  ...trainDefaults('tiny', 1), preset: 'tiny', stage: 1, data: 'train.tar', evalData: null, out: 'runs/a', from: null, resume: false,
});

test('--decode-mode is part of the train config: fast by default, kept on resume, a changed mode is printed as changed by flags', async () => {
  assert.equal(base().decodeMode, 'fast');
  const kept = resumedTrainConfig(base(), {}, 'runs/a');
  assert.equal(kept.config.decodeMode, 'fast');
  assert.deepEqual(kept.changes, []);
  const changed = resumedTrainConfig(base(), { decodeMode: 'exact' }, 'runs/a');
  assert.equal(changed.config.decodeMode, 'exact');
  assert.deepEqual(changed.changes, ['decodeMode "fast" → "exact"']);
});

test('a run saved before --decode-mode existed resumes as exact (it decoded every image in full)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-decode-mode-'));
  try {
    const { decodeMode: _omitted, ...old } = base();
    await fs.writeFile(path.join(dir, 'state.json'), JSON.stringify({ config: old }));
    assert.equal((await readSavedTrainConfig(dir)).decodeMode, 'exact');
    await fs.writeFile(path.join(dir, 'state.json'), JSON.stringify({ config: base() }));
    assert.equal((await readSavedTrainConfig(dir)).decodeMode, 'fast');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
