import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from './helpers.js';

describe('init never overwrites a checkpoint silently (issue 14.14)', () => {
  test('init --out existing.safetensors is refused without --force and the file is kept (issue 14.14)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'existing.safetensors');
      fs.writeFileSync(out, 'a trained checkpoint');
      const refused = await runCli(['init', '--preset', 'tiny', '--seed', '7', '--out', out]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /init: .*existing\.safetensors already exists; pass --force to overwrite it/);
      assert.equal(fs.readFileSync(out, 'utf8'), 'a trained checkpoint');

      const forced = await runCli(['init', '--preset', 'tiny', '--seed', '7', '--out', out, '--force', '--backend', 'cpu']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.equal(fs.readFileSync(out).subarray(8, 9).toString(), '{', 'a safetensors header replaced the old bytes');
      assert.deepEqual(fs.readdirSync(dir), ['existing.safetensors'], 'no temporary file is left behind');
    } finally {
      cleanup();
    }
  });

  test('init --out a folder is refused with a clear error (issue 14.14)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const refused = await runCli(['init', '--preset', 'tiny', '--out', dir, '--force']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /init: --out .* is a folder; expected a \.safetensors file path/);
    } finally {
      cleanup();
    }
  });
});
