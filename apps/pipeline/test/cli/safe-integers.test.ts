import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { COMMON_OPTIONS, checkConfigValues, intOption, numberOption, registerOptions, resolveOptions } from '../../src/cli/index.js';
import { runCli, tempDir } from './helpers.js';

const SPECS = { batch: intOption({ description: 'batch', default: 16, min: 1 }), lr: numberOption({ description: 'lr', default: 1 }), ...COMMON_OPTIONS };

async function parse(args: string[]): Promise<ReturnType<typeof resolveOptions<typeof SPECS>>> {
  const command = new Command('test').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const flags = registerOptions(command, SPECS);
  await command.parseAsync(args, { from: 'user' });
  return resolveOptions(command, SPECS, flags);
}

describe('integer options are safe integers (issue 14, minor)', () => {
  test('--batch 99999999999999999999 is refused, not recorded as 1e20 (issue 14 minor: safe integers)', async () => {
    await assert.rejects(parse(['--batch', '99999999999999999999']), /must be a safe integer/);
    await assert.rejects(parse(['--batch', '9007199254740993']), /must be a safe integer/);
    await assert.rejects(parse(['--batch', '1e3']), /must be an integer written in digits/);
    await assert.rejects(parse(['--batch', '0x10']), /must be an integer written in digits/);
    assert.equal((await parse(['--batch', '9007199254740991'])).values.batch, Number.MAX_SAFE_INTEGER);
    assert.equal((await parse(['--batch', ' 12 '])).values.batch, 12);
    assert.equal((await parse(['--lr', '1e-3'])).values.lr, 1e-3);
    assert.throws(() => checkConfigValues({ batch: 1e20 }, SPECS, 'run.yaml'), /run\.yaml: 'batch' must be a safe integer/);
  });

  test('the CLI exits 2 naming the flag for an unsafe integer (issue 14 minor: safe integers)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run');
      const run = await runCli(['train', '--data', 'x.tar', '--batch', '99999999999999999999', '--out', out]);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--batch <n>' argument '99999999999999999999' is invalid\. must be a safe integer/);
      assert.equal(fs.existsSync(out), false, 'nothing is written for a refused command');
      const shards = await runCli(['make-shards', dir, path.join(dir, 's-%06d.tar'), '--max-samples', '99999999999999999999']);
      assert.equal(shards.code, 2);
      assert.match(shards.stderr, /--max-samples must be a safe integer/);
      const init = await runCli(['init', '--preset', 'tiny', '--out', path.join(dir, 'ck.safetensors'), '--seed', '99999999999999999999']);
      assert.equal(init.code, 2);
      assert.match(init.stderr, /--seed must be a safe integer/);
    } finally {
      cleanup();
    }
  });
});
