/** Commands without a run folder (`make-shards`, `shards ls|check`) made with defineCommand: typed `.invoke`, arguments, usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '../../../../tools/testing/fixtures.js';
import { UsageError, type CliWriters } from '../../src/cli/index.js';
import { makeShardsCommand } from '../../src/commands/make-shards.js';
import { shardsCheckCommand, shardsLsCommand } from '../../src/commands/shards.js';
import { runCli, tempDir } from './helpers.js';

function captured(): { writers: CliWriters; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { writers: { writeOut: (t) => void (out += t), writeErr: (t) => void (err += t) }, out: () => out, err: () => err };
}

test('make-shards, shards ls and shards check run as functions with typed options and arguments, as on the CLI', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const images = path.join(dir, 'imgs');
    fs.mkdirSync(images);
    for (const name of ['aurora.jpg', 'bubbles.jpg', 'city-night.jpg']) fs.copyFileSync(path.join(WORKSPACE_ROOT, 'assets/images', name), path.join(images, name));
    const pack = captured();
    assert.equal(await makeShardsCommand.invoke({ input: images, outPattern: path.join(dir, 's-%03d.tar'), maxSamples: 2, quiet: true }, pack.writers), 0);
    assert.match(pack.out(), /^wrote 3 samples into 2 shards \(\d+ bytes\)\n$/);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tar')), ['s-000.tar', 's-001.tar']);

    const shards = [path.join(dir, 's-000.tar'), path.join(dir, 's-001.tar')];
    const listing = captured();
    assert.equal(await shardsLsCommand.invoke({ specs: shards, json: true }, listing.writers), 0);
    const lines = listing.out().trim().split('\n').map((l) => JSON.parse(l) as { key?: string; total?: { samples: number; shards: number } });
    assert.deepEqual(lines.map((l) => l.key ?? l.total), ['aurora', 'bubbles', 'city-night', { samples: 3, shards: 2, bytes: lines.slice(0, 3).reduce((s, l) => s + (l as { bytes: number }).bytes, 0) }]);

    const cli = await runCli(['shards', 'ls', ...shards]);
    assert.match(cli.stdout, /^aurora\t.*s-000\.tar\tjpg:\d+\t\d+\n[\s\S]*^total: 3 samples in 2 shards, \d+ bytes$/m);

    const bad = path.join(dir, 'bad.tar');
    fs.writeFileSync(bad, 'not a tar');
    const strict = captured();
    assert.equal(await shardsCheckCommand.invoke({ specs: [bad, ...shards], size: 32, crop: 'adm' }, strict.writers), 1, 'a bad sample under throw: exit 1');
    assert.match(strict.err(), /^bad: .*bad\.tar/m);
    assert.match(strict.out(), /^0 images decoded ok, 1 bad, 1 shards, .*\(stopped at the first bad sample; use --on-error skip to see all\)\n$/);
    const lenient = captured();
    assert.equal(await shardsCheckCommand.invoke({ specs: [bad, ...shards], size: 32, onError: 'skip', quiet: true }, lenient.writers), 0);
    assert.match(lenient.out(), /^3 images decoded ok, 1 bad, 3 shards, /);
  } finally {
    cleanup();
  }
});

test('plain commands: a missing argument or a value outside its spec is a UsageError naming it (invoke and CLI, exit 2)', async () => {
  await assert.rejects(makeShardsCommand.invoke({ input: 'x' } as never, captured().writers), (e: unknown) => e instanceof UsageError && /make-shards: <out-pattern> is required/.test(e.message));
  await assert.rejects(makeShardsCommand.invoke({ input: 'x', outPattern: 'y-%d.tar', maxSamples: 0 }, captured().writers), (e: unknown) => e instanceof UsageError && /--max-samples must be an integer ≥ 1/.test(e.message));
  await assert.rejects(shardsLsCommand.invoke({ specs: [] }, captured().writers), (e: unknown) => e instanceof UsageError && /ls: <spec> is required/.test(e.message));
  const crop = await runCli(['shards', 'check', 'x.tar', '--crop', 'random-crop']);
  assert.equal(crop.code, 2);
  assert.match(crop.stderr, /--crop must be one of center, adm, exact, got 'random-crop'/);
  const seed = await runCli(['make-shards', 'x', 'y-%d.tar', '--seed', '-1']);
  assert.equal(seed.code, 2);
  assert.match(seed.stderr, /--seed must be an integer ≥ 0, got '-1'/);
});
