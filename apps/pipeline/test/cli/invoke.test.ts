/** Commands as functions (issue 12 item 4): `DefinedCommand.invoke(typed options)` runs a command like its CLI action. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { collectSink, fromIterable, Graph, mapStage } from '@vqrae/graph';
import { defineCommand, intOption, UsageError, type CliWriters } from '../../src/cli/index.js';
import { readJson, tempDir } from './helpers.js';

/** A tiny command: doubles 0..n-1 in one graph and prints the sum. */
const doubleCommand = defineCommand({
  name: 'double',
  description: 'double the numbers below n',
  options: { n: intOption({ description: 'how many numbers', default: 3, min: 1 }) },
  async run(ctx) {
    const graph = Graph.from(fromIterable('numbers', Array.from({ length: ctx.options.n }, (_, i) => ({ meta: { key: `k${i}`, shard: 'mem', index: i }, value: i }))))
      .pipe(mapStage('double', (item: { meta: { key: string; shard: string; index: number }; value: number }) => ({ ...item, value: 2 * item.value })))
      .to(collectSink('collect'));
    const outcome = await ctx.runGraph('double', graph);
    const items = outcome.summary.sinks[0]!.result as { value: number }[];
    ctx.print(`sum ${items.reduce((s, x) => s + x.value, 0)}`);
    return { summary: { n: ctx.options.n } };
  },
});

function captured(): { writers: CliWriters; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { writers: { writeOut: (t) => void out.push(t), writeErr: (t) => void err.push(t) }, out, err };
}

test('invoke: typed options instead of flags, the same run folder records as the CLI (sources say "call"), exit 0', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = path.join(dir, 'run');
    const io = captured();
    const code = await doubleCommand.invoke({ n: 4, out, quiet: true, backend: 'cpu' }, io.writers);
    assert.equal(code, 0);
    assert.deepEqual(io.out, ['sum 12\n']); // 2·(0+1+2+3); --quiet: only the result line
    const config = readJson(path.join(out, 'config.json'));
    assert.equal((config.options as { n: number }).n, 4);
    assert.equal((config.sources as Record<string, string>).n, 'call');
    assert.equal((config.sources as Record<string, string>).seed, 'default');
    const summary = readJson(path.join(out, 'summary.json'));
    assert.equal(summary.status, 'ok');
    assert.equal(summary.n, 4);
    assert.match(fs.readFileSync(path.join(out, 'graph.txt'), 'utf8'), /^double: numbers → double → collect/);
  } finally {
    cleanup();
  }
});

test('invoke: a value outside its spec or an unknown option is a UsageError naming the flag; nothing is created', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const out = path.join(dir, 'refused');
    await assert.rejects(doubleCommand.invoke({ n: 0, out, quiet: true, backend: 'cpu' }, captured().writers), (e: unknown) => e instanceof UsageError && /--n must be an integer ≥ 1/.test(e.message));
    const unknown = { out, quiet: true, colour: 'red' } as unknown as Parameters<typeof doubleCommand.invoke>[0];
    await assert.rejects(doubleCommand.invoke(unknown, captured().writers), (e: unknown) => e instanceof UsageError && /unknown option\(s\) colour/.test(e.message));
    assert.equal(fs.existsSync(out), false);
  } finally {
    cleanup();
  }
});
