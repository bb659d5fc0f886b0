import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Graph, collectSink, fromIterable, mapStage } from '@vqrae/graph';
import { defineCommand, intOption } from '../../src/cli/index.js';
import { readJson, tempDir } from './helpers.js';

/** A throwaway command on the shared helpers: squares numbers, failing on `--fail-at`. */
const squares = defineCommand({
  name: 'squares',
  description: 'test command',
  options: { count: intOption({ description: 'items', default: 5, min: 1 }), failAt: intOption({ description: 'fail on this item', min: 0 }) },
  async run(ctx) {
    const graph = Graph.from(fromIterable('numbers', Array.from({ length: ctx.options.count }, (_, i) => ({ meta: { key: `n${i}`, shard: 'mem', index: i }, v: i }))))
      .pipe(mapStage('square', (x: { meta: { key: string }; v: number }) => {
        if (x.v === ctx.options.failAt) throw new Error('cannot square this one');
        return x.v * x.v;
      }))
      .to(collectSink('out'));
    const { summary } = await ctx.runGraph('squares', graph);
    return { summary: { total: (summary.sinks[0].result as number[] | undefined)?.reduce((a, b) => a + b, 0) } };
  },
});

async function runSquares(args: string[]): Promise<number> {
  const program = new Command('vqrae').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  squares.register(program);
  await program.parseAsync(['squares', ...args], { from: 'user' });
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return code;
}

describe('run folder and defineCommand', () => {
  test('a run folder holds config.json (resolved options + sources), graph.txt and summary.json', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const config = path.join(dir, 'squares.yaml');
      fs.writeFileSync(config, 'count: 4\nseed: 9\n');
      const out = path.join(dir, 'run');
      assert.equal(await runSquares(['--config', config, '--count', '6', '--out', out, '--quiet']), 0);
      assert.deepEqual(fs.readdirSync(out).sort(), ['config.json', 'graph.txt', 'summary.json']);
      const saved = readJson(path.join(out, 'config.json'));
      assert.deepEqual(saved.options, { count: 6, out, quiet: true, backend: 'auto', seed: 9, dryRun: false });
      assert.deepEqual(saved.sources, { count: 'cli', failAt: 'default', out: 'cli', quiet: 'cli', backend: 'default', seed: 'config', dryRun: 'default' });
      assert.equal(saved.configFile, config);
      assert.deepEqual(saved.backend, { name: 'wasm', package: '@tensorflow/tfjs-backend-wasm', requested: 'auto' });
      assert.equal(fs.readFileSync(path.join(out, 'graph.txt'), 'utf8'), 'squares: numbers → square → out\n');
      const summary = readJson(path.join(out, 'summary.json'));
      assert.equal(summary.status, 'ok');
      assert.equal(summary.exitCode, 0);
      assert.equal(summary.total, 0 + 1 + 4 + 9 + 16 + 25);
      const [graph] = summary.graphs as Array<{ stages: Array<{ seen: number; emitted: number }> }>;
      assert.deepEqual([graph.stages[0].seen, graph.stages[0].emitted], [6, 6]);
    } finally {
      cleanup();
    }
  });

  test('a failure under onError throw: exit code 1, error printed, summary.json records the failure', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'run');
      assert.equal(await runSquares(['--fail-at', '2', '--out', out, '--quiet']), 1);
      const summary = readJson(path.join(out, 'summary.json'));
      assert.equal(summary.status, 'failed');
      const [graph] = summary.graphs as Array<{ status: string; failure: { stage: string; key: string; message: string } }>;
      assert.equal(graph.status, 'failed');
      assert.deepEqual([graph.failure.stage, graph.failure.key], ['square', 'n2']);
      assert.match(graph.failure.message, /stage 'square' failed \(key n2, shard mem, index 2\): cannot square this one/);
    } finally {
      cleanup();
    }
  });
});
