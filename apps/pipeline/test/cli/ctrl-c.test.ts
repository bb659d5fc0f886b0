import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { Graph, forEachSink, fromAsyncIterable } from '@vqrae/graph';
import { defineCommand, type CommandContext, type CommandResult } from '../../src/cli/index.js';
import { readJson, tempDir } from './helpers.js';

/** What `kill -INT <pid>` does to this process, without killing the test runner if nothing handles it. */
function ctrlC(): void {
  process.emit('SIGINT');
}

/** A graph whose source yields one item and then waits until it is cancelled. */
function endlessGraph(): Graph {
  const source = fromAsyncIterable('endless', async function* (signal: AbortSignal) {
    yield 1;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
  });
  return Graph.from(source).to(forEachSink('sink', () => {}));
}

/** Runs a throwaway command defined with defineCommand; resolves with its exit code and summary.json. */
async function runCommand(run: (ctx: CommandContext<Record<string, never>>) => Promise<CommandResult | void>): Promise<{ code: number; summary: Record<string, unknown> }> {
  const { dir, cleanup } = tempDir('vqrae-ctrl-c-');
  try {
    const program = new Command('vqrae').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
    defineCommand({ name: 'ctrl-c-test', description: 'test', options: {}, run }).register(program);
    await program.parseAsync(['node', 'vqrae', 'ctrl-c-test', '--out', dir, '--quiet']);
    const code = process.exitCode as number;
    process.exitCode = undefined;
    return { code, summary: readJson(`${dir}/summary.json`) };
  } finally {
    cleanup();
  }
}

test('Ctrl-C during a command, outside any graph (e.g. loading a model), exits 130 with "cancelled" (issue 14.9)', async () => {
  const { code, summary } = await runCommand(async (ctx) => {
    ctrlC(); // arrives while the command is busy before its graph
    await new Promise((r) => setTimeout(r, 10));
    const outcome = await ctx.runGraph('main', endlessGraph()); // starts already cancelled: returns at once
    assert.equal(outcome.summary.cancelled, true);
    return undefined;
  });
  assert.equal(code, 130);
  assert.equal(summary.status, 'cancelled');
});

test('a command that makes a failure of a cancelled run (no rows → exit 1, or an abort error) still exits 130 "cancelled" (issue 14.9)', async () => {
  const zeroRows = await runCommand(async (ctx) => {
    setTimeout(ctrlC, 20);
    await ctx.runGraph('main', endlessGraph());
    return { exitCode: 1 }; // as metrics/eval do when no image was scored
  });
  assert.equal(zeroRows.code, 130);
  assert.equal(zeroRows.summary.status, 'cancelled');
  const thrown = await runCommand(async (ctx) => {
    setTimeout(ctrlC, 20);
    await ctx.runGraph('main', endlessGraph());
    throw new Error('results incomplete'); // what follow-up work may throw on a cut-short run
  });
  assert.equal(thrown.code, 130);
  assert.equal(thrown.summary.status, 'cancelled');
});
