import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkShards } from '@vqrae/data';
import { runCli, tempDir } from './helpers.js';

const IMAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../assets/images');

function copyImages(to: string, count: number): string[] {
  fs.mkdirSync(to, { recursive: true });
  const names = fs.readdirSync(IMAGES).filter((f) => f.endsWith('.jpg')).sort().slice(0, count);
  for (const name of names) fs.copyFileSync(path.join(IMAGES, name), path.join(to, name));
  return names;
}

describe('make-shards: no stale shards, skipped inputs named (issue 14.4)', () => {
  test('make-shards into a pattern that already has shards is refused; --overwrite replaces them and removes the stale ones (issue 14.4)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const images = path.join(dir, 'imgs');
      copyImages(images, 5);
      const pattern = path.join(dir, 'full', 's-%06d.tar');
      const first = await runCli(['make-shards', images, pattern, '--max-samples', '2', '--quiet']);
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'full')), ['s-000000.tar', 's-000001.tar', 's-000002.tar']);
      const kept = fs.readFileSync(path.join(dir, 'full', 's-000002.tar'));

      const refused = await runCli(['make-shards', images, pattern, '--max-samples', '5', '--quiet']);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /make-shards: 3 file\(s\) matching .*s-%06d\.tar already exist \(.*s-000000\.tar, …\); pass --overwrite to replace them/);
      assert.deepEqual(fs.readFileSync(path.join(dir, 'full', 's-000002.tar')), kept, 'a refused run changes nothing');

      const replaced = await runCli(['make-shards', images, pattern, '--max-samples', '5', '--overwrite']);
      assert.equal(replaced.code, 0, replaced.stderr);
      assert.match(replaced.stdout, /removed 2 stale shard\(s\) of an earlier run: .*s-000001\.tar, .*s-000002\.tar/);
      assert.deepEqual(fs.readdirSync(path.join(dir, 'full')), ['s-000000.tar']);
      const report = await checkShards(path.join(dir, 'full', 's-000000.tar'), { onError: 'throw', log: { info: () => {}, warn: () => {}, error: () => {} } });
      assert.deepEqual([report.good, report.bad.length], [5, 0]);
    } finally {
      cleanup();
    }
  });

  test('make-shards says how many symlinked inputs it skipped and why (issue 14 minor)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const images = path.join(dir, 'imgs');
      const names = copyImages(images, 2);
      const elsewhere = path.join(dir, 'elsewhere');
      copyImages(elsewhere, 3);
      fs.symlinkSync(path.join(elsewhere, names[0]!), path.join(images, 'linked.jpg'));
      fs.symlinkSync(elsewhere, path.join(images, 'linked-folder'));
      const run = await runCli(['make-shards', images, path.join(dir, 'out', 's-%06d.tar'), '--quiet']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /wrote 2 samples into 1 shards/);
      assert.match(run.stderr, /make-shards: skipped 2 symbolic link\(s\) \(not followed: .*linked-folder, .*linked\.jpg\)/);
    } finally {
      cleanup();
    }
  });
});
