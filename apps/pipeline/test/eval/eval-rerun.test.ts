import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../cli/helpers.js';
import { evalFixture, type EvalFixture } from './fixtures.js';

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('rerun');
});
after(async () => {
  await fx.cleanup();
});

test('an eval rerun into its folder removes the earlier eval’s outputs instead of leaving stale statistics and previews (issue 14.4)', async () => {
  const out = path.join(fx.dir, 'ev');
  const first = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fd-network', 'encoder', '--previews', '3', '--quiet', '--out', out]);
  assert.equal(first.code, 0, first.stderr);
  for (const f of ['reconstruction-stats.npz', 'reference-stats.npz', 'reconstruction-moments.npz', 'reference-moments.npz']) assert.ok(fs.existsSync(path.join(out, f)), f);
  const previewsBefore = fs.readdirSync(path.join(out, 'previews')).length;
  assert.ok(previewsBefore > 1);

  const second = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fd-network', 'none', '--previews', '0', '--out', out]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /eval: removed \d+ output\(s\) of an earlier eval in /);
  for (const f of ['reconstruction-stats.npz', 'reference-stats.npz', 'reconstruction-moments.npz', 'reference-moments.npz']) {
    assert.ok(!fs.existsSync(path.join(out, f)), `${f} of the earlier run is gone`);
  }
  assert.deepEqual(fs.existsSync(path.join(out, 'previews')) ? fs.readdirSync(path.join(out, 'previews')) : [], []);
  assert.ok(fs.existsSync(path.join(out, 'metrics.arrow')));
});
