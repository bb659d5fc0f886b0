import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { evalFixture, type EvalFixture } from '../eval/fixtures.js';
import { readJson, runCli } from './helpers.js';

let fx: EvalFixture;
before(async () => {
  fx = await evalFixture('refused');
});
after(async () => {
  await fx.cleanup();
});

const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.statSync(path.join(dir, f)).isFile() ? fs.readFileSync(path.join(dir, f), 'latin1') : 'dir']));

describe('refused jobs leave the run folder untouched (issue 14.2)', () => {
  test('a dump-tokens resume refused for --crop adm leaves config.json saying center (issue 14.2)', async () => {
    const out = path.join(fx.dir, 'tok');
    const first = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', out, '--quiet']);
    assert.equal(first.code, 0, first.stderr);
    const kept = snapshot(out);
    const refused = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', out, '--crop', 'adm', '--quiet']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /resume refused: .* \(crop: "center" → "adm"\)/);
    assert.deepEqual(snapshot(out), kept);
    assert.equal((readJson(path.join(out, 'config.json')).options as { crop: string }).crop, 'center');
  });

  test('dump-tokens --out on an eval folder is refused and the eval folder’s records stay as they were (issue 14.2)', async () => {
    const evalOut = path.join(fx.dir, 'ev');
    const ev = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fd-network', 'none', '--previews', '0', '--out', evalOut, '--quiet']);
    assert.equal(ev.code, 0, ev.stderr);
    const kept = snapshot(evalOut);
    const refused = await runCli(['dump-tokens', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--out', evalOut, '--quiet']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--out .*ev is a run folder of 'eval'; 'dump-tokens' needs its own folder/);
    assert.deepEqual(snapshot(evalOut), kept);
    assert.equal(readJson(path.join(evalOut, 'summary.json')).status, 'ok');
  });
});
