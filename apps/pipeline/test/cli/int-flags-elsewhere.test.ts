import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveRank } from '@vqrae/tokens';
import { runCli, tempDir } from './helpers.js';

describe('every integer flag is a safe integer in digits; outputs are not overwritten silently (issue 14, same class as the minor ones and 14.14)', () => {
  test('inspect, shards check, merge-eval, fid-stats and RANK refuse unsafe or malformed integers with exit 2 naming the flag', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'x.arrow');
      fs.writeFileSync(file, 'not arrow');
      const cases: Array<[string[], RegExp]> = [
        [['inspect', file, '--rows', '1e3'], /--rows must be an integer ≥ 0 written in digits/],
        [['shards', 'check', file, '--concurrency', 'abc'], /--concurrency must be an integer ≥ 1 written in digits/],
        [['shards', 'check', file, '--concurrency', '0'], /--concurrency must be an integer ≥ 1, got '0'/],
        [['shards', 'check', file, '--size', '99999999999999999999'], /--size must be a safe integer/],
        [['merge-eval', dir, '--out', path.join(dir, 'm'), '--previews', '-1'], /--previews must be an integer ≥ 0, got '-1'/],
        [['fid-stats', dir, '--weights', file, '--out', path.join(dir, 's.npz'), '--batch', '99999999999999999999'], /--batch must be a safe integer/],
      ];
      for (const [args, message] of cases) {
        const run = await runCli(args);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, message, args.join(' '));
      }
      assert.throws(() => resolveRank({}, { RANK: '1e3', WORLD_SIZE: '2000' }), /RANK="1e3" is not a non-negative integer/);
    } finally {
      cleanup();
    }
  });

  test('fid-stats --out an existing statistics file is refused without --force (same class as issue 14.14)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const weights = path.join(dir, 'w.safetensors');
      fs.writeFileSync(weights, 'w');
      const out = path.join(dir, 'ref.npz');
      fs.writeFileSync(out, 'reference statistics');
      const refused = await runCli(['fid-stats', dir, '--weights', weights, '--out', out]);
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /fid-stats: .*ref\.npz already exists; pass --force to overwrite it/);
      const moments = path.join(dir, 'moments.npz');
      fs.writeFileSync(moments, 'm');
      const refusedMoments = await runCli(['fid-stats', dir, '--weights', weights, '--out', path.join(dir, 'new.npz'), '--moments', moments]);
      assert.equal(refusedMoments.code, 2);
      assert.match(refusedMoments.stderr, /fid-stats: .*moments\.npz already exists; pass --force/);
      assert.equal(fs.readFileSync(out, 'utf8'), 'reference statistics');
    } finally {
      cleanup();
    }
  });
});
