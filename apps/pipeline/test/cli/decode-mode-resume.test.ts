/** The decode mode is part of a dump's fingerprint: a resume in the other mode is refused (tokens would mix). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { evalFixture, type EvalFixture } from '../eval/fixtures.js';
import { readJson, runCli } from './helpers.js';

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('decode-mode');
});
after(async () => {
  await fx.cleanup();
});

test('dump-tokens: fast by default, recorded; a resume with --decode-mode exact is refused (exit 2)', async () => {
  const out = path.join(fx.dir, 'tok');
  const first = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', out, '--quiet']);
  assert.equal(first.code, 0, first.stderr);
  assert.equal((readJson(path.join(out, 'config.json')).options as { decodeMode: string }).decodeMode, 'fast');
  const again = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', out, '--decode-mode', 'fast', '--quiet']);
  assert.equal(again.code, 0, again.stderr);
  const refused = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', out, '--decode-mode', 'exact', '--quiet']);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /resume refused: .*decode_mode: "fast" → "exact"/);
});
