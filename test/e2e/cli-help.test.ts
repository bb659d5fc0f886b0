import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('vqrae --help runs from the repository root', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'apps/pipeline/bin/vqrae.mjs'), '--help'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /Usage: vqrae/);
});
