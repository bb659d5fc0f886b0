import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { resolveCheckpointArgument } from '../../src/cli/checkpoint-argument.js';
import { UsageError } from '../../src/cli/errors.js';
import { shippedCheckpointLines } from '../../src/checkpoints/shipped-lines.js';
import { BUNDLED_CHECKPOINTS, listShippedCheckpoints, sha256FileSync } from '@vqrae/tokenizer';
import { runCli, tempDir } from '../cli/helpers.js';

/** A registry folder with two shipped checkpoints (arbitrary bytes: the resolver never parses them). */
function writeRegistry(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of [['alpha', 'weights of alpha'], ['beta', 'weights of beta']] as const) {
    fs.writeFileSync(path.join(dir, `${name}.safetensors`), bytes);
    const card = { name, file: `${name}.safetensors`, sha256: sha256FileSync(path.join(dir, `${name}.safetensors`)), bytes: bytes.length, dtype: 'F16', preset: 'tiny', description: `the ${name} test checkpoint`, placeholder: name === 'beta' };
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(card));
  }
}

let root: { dir: string; cleanup: () => void };
let registry: string;
before(() => {
  root = tempDir('vqrae-shipped-');
  registry = path.join(root.dir, 'registry');
  writeRegistry(registry);
});
after(() => root.cleanup());

describe('checkpoint arguments: path, then shipped name (issue 15.4)', () => {
  test('a shipped name resolves to its file; an existing path wins over a name', () => {
    const byName = resolveCheckpointArgument('alpha', '--checkpoint', registry);
    assert.equal(byName.file, path.join(registry, 'alpha.safetensors'));
    assert.equal(byName.shipped?.name, 'alpha');
    const local = path.join(root.dir, 'cwd');
    fs.mkdirSync(local, { recursive: true });
    fs.writeFileSync(path.join(local, 'alpha'), 'a local file called alpha');
    const cwd = process.cwd();
    process.chdir(local);
    try {
      const byPath = resolveCheckpointArgument('alpha', '--checkpoint', registry);
      assert.equal(byPath.file, 'alpha');
      assert.equal(byPath.shipped, null);
    } finally {
      process.chdir(cwd);
    }
  });

  test('an unknown name is a usage error listing the shipped names', () => {
    assert.throws(
      () => resolveCheckpointArgument('gamma', '--checkpoint', registry),
      (error: unknown) => error instanceof UsageError && /--checkpoint: 'gamma' is neither an existing file nor a shipped checkpoint \(shipped: alpha, beta; see vqrae info\)/.test(error.message),
    );
  });

  test('a corrupted shipped file is refused, naming both digests', () => {
    const corrupted = path.join(root.dir, 'corrupted');
    writeRegistry(corrupted);
    const expected = listShippedCheckpoints(corrupted)[0]!.sha256;
    fs.writeFileSync(path.join(corrupted, 'alpha.safetensors'), 'weights of alphA');
    const actual = sha256FileSync(path.join(corrupted, 'alpha.safetensors'));
    assert.throws(
      () => resolveCheckpointArgument('alpha', '--init', corrupted),
      (error: unknown) => error instanceof UsageError && error.message.includes(`corrupted or was replaced (sha256 ${actual}`) && error.message.includes(`says ${expected}`) && error.message.startsWith('--init alpha:'),
    );
    fs.rmSync(path.join(corrupted, 'alpha.safetensors'));
    assert.throws(() => resolveCheckpointArgument('alpha', '--init', corrupted), /alpha\.safetensors is missing/);
  });

  test('every checkpoint flag of the CLI resolves names (unknown name → exit 2 listing the shipped ones; corrupted → exit 2)', async () => {
    const saved = process.env.VQRAE_SHIPPED_CHECKPOINTS;
    process.env.VQRAE_SHIPPED_CHECKPOINTS = registry;
    try {
      const out = path.join(root.dir, 'runs');
      const commands: string[][] = [
        ['eval', '--checkpoint', 'nope', '--data', 'x.tar'],
        ['dump-tokens', '--checkpoint', 'nope', '--data', 'x.tar'],
        ['dump-features', '--checkpoint', 'nope', '--data', 'x.tar'],
        ['reconstruct', '--checkpoint', 'nope', '--data', 'x.tar'],
        ['decode', '--checkpoint', 'nope', '--tokens', 'x.arrow'],
        ['train', '--stage', '2', '--from', 'nope', '--data', 'x.tar'],
        ['train', '--init', 'nope', '--data', 'x.tar'],
        ['demo', '--checkpoint', 'nope'],
      ];
      for (const [i, args] of commands.entries()) {
        const run = await runCli([...args, '--out', path.join(out, String(i)), '--quiet']);
        assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
        assert.match(run.stderr, /'nope' is neither an existing file nor a shipped checkpoint \(shipped: alpha, beta; see vqrae info\)/, args.join(' '));
        assert.ok(!fs.existsSync(path.join(out, String(i))), `${args[0]}: a refused run leaves no folder`);
      }
      const onnx = await runCli(['export-onnx', '--checkpoint', 'nope', '--graph', 'tokenize', '--out', path.join(out, 'x.onnx')]);
      assert.equal(onnx.code, 2, onnx.stderr);
      assert.match(onnx.stderr, /export-onnx --checkpoint: 'nope' is neither/);
      fs.appendFileSync(path.join(registry, 'beta.safetensors'), '!');
      const corrupted = await runCli(['reconstruct', '--checkpoint', 'beta', '--data', 'x.tar', '--out', path.join(out, 'c'), '--quiet']);
      assert.equal(corrupted.code, 2);
      assert.match(corrupted.stderr, /--checkpoint beta: shipped checkpoint 'beta': .*beta\.safetensors is corrupted or was replaced/);
    } finally {
      if (saved === undefined) delete process.env.VQRAE_SHIPPED_CHECKPOINTS;
      else process.env.VQRAE_SHIPPED_CHECKPOINTS = saved;
      writeRegistry(registry);
    }
  });
});

describe('vqrae info lists the shipped checkpoints (issue 15.4)', () => {
  test('one line per card: name, preset, size, dtype, full sha256, placeholder flag, description', () => {
    const lines = shippedCheckpointLines(registry);
    assert.equal(lines[0], `shipped checkpoints (--checkpoint <name>; ${registry}):`);
    const alpha = listShippedCheckpoints(registry)[0]!;
    assert.equal(lines[1], `  alpha: preset tiny, 0.0 MiB F16, sha256 ${alpha.sha256} — the alpha test checkpoint`);
    assert.match(lines[2]!, /^ {2}beta: preset tiny, .* \[PLACEHOLDER, untrained\] — the beta test checkpoint$/);
    assert.deepEqual(shippedCheckpointLines(path.join(root.dir, 'none')), [`shipped checkpoints: none in ${path.join(root.dir, 'none')}`]);
  });

  test('`vqrae info` prints the repository’s small-cpu with the sha256 of its card', async () => {
    const run = await runCli(['info', '--backend', 'cpu']);
    assert.equal(run.code, 0, run.stderr);
    const card = JSON.parse(fs.readFileSync(path.join(BUNDLED_CHECKPOINTS, 'small-cpu.json'), 'utf8')) as { sha256: string };
    assert.match(run.stdout, new RegExp(`^ {2}small-cpu: preset small-cpu, [\\d.]+ MiB F16, sha256 ${card.sha256}`, 'm'));
  });
});
