import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Graph, collectSink, createRunFolder, fromIterable, mapStage } from '@vqrae/graph';
import { booleanOption, defineCommand, UsageError, withRunFolderUsage } from '../../src/cli/index.js';
import { readJson, runCli, tempDir } from './helpers.js';

/** A throwaway command: runs one tiny graph, or refuses (UsageError) before any work under --refuse. */
function counter(name: string) {
  return defineCommand({
    name,
    description: 'test command',
    options: { refuse: booleanOption({ description: 'refuse after validation', default: false }), fail: booleanOption({ description: 'fail in the graph', default: false }) },
    async run(ctx) {
      if (ctx.options.refuse) throw new UsageError(`${name}: refused (the folder holds another job)`);
      const graph = Graph.from(fromIterable('numbers', [1, 2, 3].map((v, index) => ({ meta: { key: `n${v}`, shard: 'mem', index }, v }))))
        .pipe(mapStage('check', (x: { v: number }) => {
          if (ctx.options.fail) throw new Error('broken');
          return x.v;
        }))
        .to(collectSink('out'));
      await ctx.runGraph(name, graph);
      return undefined;
    },
  });
}

async function run(command: ReturnType<typeof counter>, args: string[]): Promise<{ code: number; error?: Error }> {
  const program = new Command('vqrae').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  command.register(program);
  try {
    await program.parseAsync([command.name, ...args, '--quiet'], { from: 'user' });
    return { code: Number(process.exitCode ?? 0) };
  } catch (error) {
    return { code: error instanceof UsageError ? 2 : 1, error: error as Error };
  } finally {
    process.exitCode = 0;
  }
}

const read = (dir: string, name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');

describe('run folders: refused jobs touch nothing, no run clobbers another run’s records (issue 14.2)', () => {
  test('a refused job leaves the run folder’s config.json, summary.json and graph.txt as they were (issue 14.2)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run1');
      assert.equal((await run(counter('count'), ['--out', out])).code, 0);
      const before = { config: read(out, 'config.json'), summary: read(out, 'summary.json'), graph: read(out, 'graph.txt') };
      const refused = await run(counter('count'), ['--out', out, '--refuse']);
      assert.equal(refused.code, 2);
      assert.match(refused.error!.message, /refused/);
      assert.deepEqual({ config: read(out, 'config.json'), summary: read(out, 'summary.json'), graph: read(out, 'graph.txt') }, before);
      assert.equal(readJson(path.join(out, 'summary.json')).status, 'ok');
      assert.deepEqual(fs.readdirSync(out).sort(), ['config.json', 'graph.txt', 'summary.json']);
    } finally {
      cleanup();
    }
  });

  test('a refused job into a new --out leaves no folder behind (issue 14.2)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'new', 'run');
      assert.equal((await run(counter('count'), ['--out', out, '--refuse'])).code, 2);
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      cleanup();
    }
  });

  test('a rerun into the same folder keeps the earlier invocation’s config and summary in history.jsonl (issue 14.2)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run1');
      assert.equal((await run(counter('count'), ['--out', out])).code, 0);
      const firstConfig = readJson(path.join(out, 'config.json'));
      assert.equal((await run(counter('count'), ['--out', out, '--fail', '--seed', '3'])).code, 1);
      assert.equal(readJson(path.join(out, 'summary.json')).status, 'failed');
      const history = read(out, 'history.jsonl').trim().split('\n').map((line) => JSON.parse(line) as { config: unknown; summary: { status: string } });
      assert.equal(history.length, 1);
      assert.deepEqual(history[0]!.config, firstConfig);
      assert.equal(history[0]!.summary.status, 'ok');
    } finally {
      cleanup();
    }
  });

  test('--out on a run folder of another command is refused before anything is written (issue 14.2)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'evalrun');
      assert.equal((await run(counter('evaluate'), ['--out', out])).code, 0);
      const before = fs.readdirSync(out).map((f) => [f, read(out, f)]);
      const refused = await run(counter('dump'), ['--out', out]);
      assert.equal(refused.code, 2);
      assert.match(refused.error!.message, /--out .*evalrun is a run folder of 'evaluate'; 'dump' needs its own folder/);
      assert.deepEqual(fs.readdirSync(out).map((f) => [f, read(out, f)]), before);
    } finally {
      cleanup();
    }
  });

  test('--out pointing at a file is a clear usage error, not a raw EEXIST from mkdir (issue 14 minor)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'notes.txt');
      fs.writeFileSync(file, 'x');
      const refused = await run(counter('count'), ['--out', file]);
      assert.equal(refused.code, 2);
      assert.match(refused.error!.message, /--out .*notes\.txt is a file; expected a folder/);
      assert.throws(() => withRunFolderUsage(() => createRunFolder({ command: 'x', out: path.join(file, 'sub') })), /--out .*notes\.txt\/sub: .*notes\.txt is a file/);
    } finally {
      cleanup();
    }
  });

  test('--dry-run into an existing run folder leaves it as it was (issue 14.2)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run1');
      assert.equal((await run(counter('count'), ['--out', out])).code, 0);
      const before = fs.readdirSync(out).map((f) => [f, read(out, f)]);
      assert.equal((await run(counter('count'), ['--out', out, '--dry-run'])).code, 0);
      assert.deepEqual(fs.readdirSync(out).map((f) => [f, read(out, f)]), before);
    } finally {
      cleanup();
    }
  });

  test('record temporaries a killed process left (summary.json.tmp-<pid>) are removed by the next run (issue 14.2 / 14.5)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run1');
      assert.equal((await run(counter('count'), ['--out', out])).code, 0);
      fs.writeFileSync(path.join(out, 'summary.json.tmp-999999999'), '{"half');
      assert.equal((await run(counter('count'), ['--out', out])).code, 0);
      assert.deepEqual(fs.readdirSync(out).filter((f) => f.includes('.tmp-')), []);
    } finally {
      cleanup();
    }
  });

  test('merge-eval --out a rank’s eval folder, and eval --out a merge-eval folder, are refused (issue 14.2, same class)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const rank0 = path.join(dir, 'rank-0');
      fs.mkdirSync(rank0);
      fs.writeFileSync(path.join(rank0, 'config.json'), JSON.stringify({ command: 'eval' }));
      const merge = await runCli(['merge-eval', dir, '--out', rank0]);
      assert.equal(merge.code, 2, merge.stderr);
      assert.match(merge.stderr, /--out .*rank-0 is a run folder of 'eval'; 'merge-eval' needs its own folder/);
      assert.deepEqual(fs.readdirSync(rank0), ['config.json']);
      const merged = path.join(dir, 'merged');
      fs.mkdirSync(merged);
      fs.writeFileSync(path.join(merged, 'summary.json'), JSON.stringify({ command: 'merge-eval', status: 'ok' }));
      assert.throws(() => withRunFolderUsage(() => createRunFolder({ command: 'eval', out: merged })), /--out .*merged is a run folder of 'merge-eval'; 'eval' needs its own folder/);
    } finally {
      cleanup();
    }
  });
});
