import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import {
  COMMON_OPTIONS,
  UsageError,
  booleanOption,
  intOption,
  numberOption,
  pathOption,
  registerOptions,
  resolveOptions,
  stringOption,
} from '../../src/cli/index.js';
import { runCli, tempDir } from './helpers.js';

const SPECS = {
  imageSize: intOption({ description: 'crop size', default: 256, min: 16 }),
  lr: numberOption({ description: 'learning rate', default: 1e-4 }),
  preset: stringOption({ description: 'model preset', choices: ['tiny', 'base'], default: 'tiny' }),
  ema: booleanOption({ description: 'keep an EMA', default: true }),
  shards: pathOption({ description: 'shard folder', mustExist: 'dir' }),
  ...COMMON_OPTIONS,
};

async function parse(args: string[]): Promise<ReturnType<typeof resolveOptions<typeof SPECS>>> {
  const command = new Command('test').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  const flags = registerOptions(command, SPECS);
  await command.parseAsync(args, { from: 'user' });
  return resolveOptions(command, SPECS, flags);
}

describe('options: flags, --config files, validation', () => {
  test('defaults apply when nothing is given', async () => {
    const { values, sources } = await parse([]);
    assert.deepEqual({ ...values }, { imageSize: 256, lr: 1e-4, preset: 'tiny', ema: true, shards: undefined, out: undefined, quiet: false, backend: 'auto', seed: 0, dryRun: false });
    assert.equal(sources.imageSize, 'default');
  });

  test('config file values override defaults and flags override the config file (JSON and YAML)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const yaml = path.join(dir, 'run.yaml');
      fs.writeFileSync(yaml, 'imageSize: 128\nlr: 0.001\npreset: base\nema: false\nseed: 7\nshards: ' + dir + '\n');
      const fromYaml = await parse(['--config', yaml, '--image-size', '64']);
      assert.deepEqual([fromYaml.values.imageSize, fromYaml.values.lr, fromYaml.values.preset, fromYaml.values.ema, fromYaml.values.seed], [64, 0.001, 'base', false, 7]);
      assert.deepEqual([fromYaml.sources.imageSize, fromYaml.sources.lr, fromYaml.sources.backend], ['cli', 'config', 'default']);
      assert.equal(fromYaml.configFile, yaml);

      const json = path.join(dir, 'run.json');
      fs.writeFileSync(json, JSON.stringify({ 'image-size': 32, quiet: true }));
      const fromJson = await parse(['--config', json, '--seed', '3']);
      assert.deepEqual([fromJson.values.imageSize, fromJson.values.quiet, fromJson.values.seed], [32, true, 3]);
    } finally {
      cleanup();
    }
  });

  test('config file errors name the file, the key and what was expected', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const write = (name: string, text: string): string => (fs.writeFileSync(path.join(dir, name), text), path.join(dir, name));
      await assert.rejects(parse(['--config', write('a.yaml', 'imageSise: 128\n')]), (e: unknown) =>
        e instanceof UsageError && /a\.yaml: unknown key 'imageSise' \(known keys: imageSize, lr, preset, ema, shards, out, quiet, backend, seed, dryRun\)/.test(e.message));
      await assert.rejects(parse(['--config', write('b.yaml', 'imageSize: big\n')]), /b\.yaml: 'imageSize' must be an integer, got string "big"/);
      await assert.rejects(parse(['--config', write('c.yaml', 'imageSize: 8\n')]), /'imageSize' must be an integer ≥ 16, got number 8/);
      await assert.rejects(parse(['--config', write('d.json', '{"preset": "huge"}')]), /'preset' must be one of tiny, base/);
      await assert.rejects(parse(['--config', write('e.json', '{"ema": "yes"}')]), /'ema' must be true or false/);
      await assert.rejects(parse(['--config', write('f.json', '{broken')]), /cannot parse JSON/);
      await assert.rejects(parse(['--config', write('g.yaml', '- 1\n- 2\n')]), /expected a mapping of option names to values/);
      await assert.rejects(parse(['--config', write('h.toml', 'a = 1')]), /expected a \.json, \.yaml or \.yml file/);
      await assert.rejects(parse(['--config', write('i.yaml', 'config: other.yaml\n')]), /unknown key 'config'/);
      await assert.rejects(parse(['--config', path.join(dir, 'missing.yaml')]), /--config: file not found: .*missing\.yaml/);
      await assert.rejects(parse(['--shards', path.join(dir, 'nope')]), /--shards: folder not found/);
      await assert.rejects(parse(['--shards', write('file.txt', '')]), /--shards: expected a folder, got a file/);
    } finally {
      cleanup();
    }
  });

  test('flag errors come from commander: wrong type, bad choice, unknown option', async () => {
    await assert.rejects(parse(['--image-size', 'abc']), (e: unknown) =>
      (e as { code?: string }).code === 'commander.invalidArgument' && /option '--image-size <n>' argument 'abc' is invalid\. must be an integer/.test((e as Error).message));
    await assert.rejects(parse(['--image-size', '2.5']), /must be an integer/);
    await assert.rejects(parse(['--backend', 'gpu']), /must be one of auto, tensorflow, wasm, cpu/);
    await assert.rejects(parse(['--imagesize', '3']), (e: unknown) => (e as { code?: string }).code === 'commander.unknownOption');
  });

  test('the CLI prints clear errors and exits 2 on usage errors', async () => {
    const unknown = await runCli(['demo', '--sise', '3']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--sise'/);
    const wrongType = await runCli(['demo', '--size', 'big']);
    assert.equal(wrongType.code, 2);
    assert.match(wrongType.stderr, /option '--size <n>' argument 'big' is invalid\. must be an integer/);
    const missing = await runCli(['demo', '--config', '/nonexistent/demo.yaml']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /vqrae: --config: file not found: \/nonexistent\/demo\.yaml/);
    const badCommand = await runCli(['dmeo']);
    assert.equal(badCommand.code, 2);
    assert.match(badCommand.stderr, /unknown command 'dmeo'/);
  });
});
