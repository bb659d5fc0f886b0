import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProgram } from '../../src/main.js';
import { COMMANDS } from '../../src/commands/index.js';
import { runCli } from './helpers.js';

describe('vqrae --help', () => {
  test('the program lists every registered command', async () => {
    const { code, stdout } = await runCli(['--help']);
    assert.equal(code, 0);
    for (const command of COMMANDS) assert.match(stdout, new RegExp(`^\\s+${command.name}\\b`, 'm'));
  });

  for (const command of COMMANDS) {
    test(`vqrae ${command.name} --help exits 0 and documents its options`, async () => {
      const { code, stdout } = await runCli([command.name, '--help']);
      assert.equal(code, 0);
      assert.match(stdout, new RegExp(`Usage: vqrae ${command.name}`));
      assert.match(stdout, /--help/);
      const registered = buildProgram().commands.find((c) => c.name() === command.name);
      assert.ok(registered, `command '${command.name}' is registered under its name`);
      for (const option of registered.options) assert.ok(stdout.includes(option.long ?? ''), `help of '${command.name}' lists ${option.long}`);
    });
  }

  test('commands defined with defineCommand have the common options', async () => {
    const { stdout } = await runCli(['demo', '--help']);
    for (const flag of ['--config <file>', '--out <dir>', '--quiet', '--backend <name>', '--seed <n>']) assert.ok(stdout.includes(flag), flag);
    assert.match(stdout, /Examples:/);
  });
});
