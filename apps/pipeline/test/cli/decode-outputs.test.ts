import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { evalFixture, type EvalFixture } from '../eval/fixtures.js';
import { runCli } from './helpers.js';

let fx: EvalFixture;
let tokA: string;
let tokB: string;
before(async () => {
  fx = await evalFixture('decode-outputs');
  tokA = path.join(fx.dir, 'tok-a');
  tokB = path.join(fx.dir, 'tok-b');
  for (const [out, shard] of [[tokA, fx.shards[0]!], [tokB, fx.shards[3]!]] as const) {
    const r = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', shard, '--out', out, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
  }
});
after(async () => {
  await fx.cleanup();
});

const pngs = (dir: string): string[] => fs.readdirSync(path.join(dir, 'images')).sort();

describe('decode never mixes in the images of an earlier run (issue 14.4)', () => {
  test('decode into a used folder is refused; --overwrite replaces the earlier images instead of mixing them in (issue 14.4)', async () => {
    const out = path.join(fx.dir, 'dec');
    const first = await runCli(['decode', '--tokens', tokA, '--checkpoint', fx.checkpoint, '--out', out, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    const earlier = pngs(out);
    assert.equal(earlier.length, 3);

    const refused = await runCli(['decode', '--tokens', tokB, '--checkpoint', fx.checkpoint, '--out', out, '--quiet']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /decode: .*images already holds 3 file\(s\) of an earlier run .*; pass --overwrite/);
    assert.deepEqual(pngs(out), earlier);

    const replaced = await runCli(['decode', '--tokens', tokB, '--checkpoint', fx.checkpoint, '--out', out, '--overwrite', '--quiet']);
    assert.equal(replaced.code, 0, replaced.stderr);
    const now = pngs(out);
    assert.equal(now.length, 1, `only the new run's image: ${now.join(', ')}`);
    assert.ok(!earlier.includes(now[0]!));
  });

  test('decode --shards into a pattern with shards of an earlier run is refused (issue 14.4)', async () => {
    const pattern = path.join(fx.dir, 'decshards', 'r-%06d.tar');
    const first = await runCli(['decode', '--tokens', tokA, '--checkpoint', fx.checkpoint, '--shards', pattern, '--max-samples', '1', '--out', path.join(fx.dir, 'ds1'), '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(fs.readdirSync(path.dirname(pattern)).length, 3);
    const refused = await runCli(['decode', '--tokens', tokB, '--checkpoint', fx.checkpoint, '--shards', pattern, '--out', path.join(fx.dir, 'ds2'), '--quiet']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /decode: .*r-%06d\.tar already holds 3 file\(s\) of an earlier run/);
    const replaced = await runCli(['decode', '--tokens', tokB, '--checkpoint', fx.checkpoint, '--shards', pattern, '--overwrite', '--out', path.join(fx.dir, 'ds2'), '--quiet']);
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.deepEqual(fs.readdirSync(path.dirname(pattern)), ['r-000000.tar']);
  });
});
