import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  Graph,
  RunFolderError,
  collectSink,
  createRunFolder,
  fromAsyncIterable,
  fromIterable,
  mapStage,
  runGraph,
  runGraphInFolder,
  silentLogger,
  timestamp,
  toJsonSafe,
  type Logger,
} from '../src/index.js';

/** A fresh temporary folder, removed by the returned cleanup. */
function tempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-graph-run-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function capturingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, log: { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) } };
}

const squares = (values: readonly number[]) =>
  Graph.from(fromIterable('numbers', values)).pipe(mapStage('square', (v: number) => v * v)).to(collectSink<number>('out'));

describe('run folder and runGraph', () => {
  test('runGraph: a cancelled run returns exit code 130 and prints the summary table', async () => {
    const { log, lines } = capturingLogger();
    const controller = new AbortController();
    controller.abort();
    const graph = Graph.from(fromIterable('numbers', [1, 2, 3])).pipe(mapStage('id', (v: number) => v)).to(collectSink('out'));
    const outcome = await runGraph(graph, { name: 'g', log, signal: controller.signal, quiet: true });
    assert.equal(outcome.exitCode, 130);
    assert.equal(outcome.summary.status, 'cancelled');
    assert.match(lines.join('\n'), /^stage\s+seen\s+emitted\s+skipped\s+dropped\s+errors\s+busy$/m);
    assert.match(lines.join('\n'), /^g: cancelled, 0 items in/m);
  });

  test('runGraph on its own writes graph.txt and a partial summary.json into the run folder', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runFolder = createRunFolder({ command: 'x', out: path.join(dir, 'run') });
      const graph = Graph.from(fromIterable('numbers', [1, 2, 3])).pipe(mapStage('id', (v: number) => v)).to(collectSink('out'));
      const outcome = await runGraph(graph, { name: 'first', log: silentLogger, quiet: true, runFolder });
      assert.equal(outcome.exitCode, 0);
      assert.equal(fs.readFileSync(path.join(runFolder.dir, 'graph.txt'), 'utf8'), 'first: numbers → id → out\n');
      const summary = readJson(path.join(runFolder.dir, 'summary.json'));
      assert.equal(summary.status, 'partial');
      assert.deepEqual((summary.graphs as Array<{ name: string; status: string; sourceItems: number }>).map((g) => [g.name, g.status, g.sourceItems]), [['first', 'ok', 3]]);
    } finally {
      cleanup();
    }
  });

  test('default folders are runs/<command>-<timestamp>, made unique', () => {
    const { dir, cleanup } = tempDir();
    try {
      const now = new Date(2026, 10, 29, 3, 4, 5);
      const a = createRunFolder({ command: 'demo', runsRoot: dir, now });
      const b = createRunFolder({ command: 'demo', runsRoot: dir, now });
      assert.equal(path.basename(a.dir), `demo-${timestamp(now)}`);
      assert.equal(timestamp(now), '20261129-030405');
      assert.equal(path.basename(b.dir), `demo-${timestamp(now)}-2`);
    } finally {
      cleanup();
    }
  });

  test('a file, a path below a file, or another command’s folder is refused with a RunFolderError before anything is created', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'notes.txt');
      fs.writeFileSync(file, 'x');
      const refusal = (fn: () => unknown): RunFolderError => {
        try {
          fn();
        } catch (error) {
          assert.ok(error instanceof RunFolderError);
          return error;
        }
        assert.fail('expected a RunFolderError');
      };
      assert.deepEqual(refusal(() => createRunFolder({ command: 'x', out: file })).details, { reason: 'file', dir: file, at: file, command: 'x' });
      const below = path.join(file, 'sub');
      assert.equal(refusal(() => createRunFolder({ command: 'x', out: below })).details.reason, 'below-file');
      const owned = path.join(dir, 'owned');
      createRunFolder({ command: 'eval', out: owned }).writeJson('config.json', { command: 'eval' });
      const error = refusal(() => createRunFolder({ command: 'dump', out: owned }));
      assert.deepEqual(error.details, { reason: 'owned', dir: owned, at: owned, command: 'dump', owner: 'eval' });
      assert.match(error.message, /run folder .*owned belongs to 'eval'; 'dump' needs its own folder/);
      assert.deepEqual(fs.readdirSync(owned), ['config.json']);
    } finally {
      cleanup();
    }
  });

  test('toJsonSafe keeps summaries small: typed arrays, tensors and long arrays are summarised', () => {
    const fakeTensor = { shape: [2, 3], dispose: () => {} };
    assert.deepEqual(toJsonSafe({ a: new Float32Array(10), t: fakeTensor, long: new Array(500).fill(0), n: NaN, e: new Error('x') }), {
      a: { type: 'Float32Array', length: 40 },
      t: { type: 'tensor', shape: [2, 3] },
      long: { type: 'array', length: 500 },
      n: 'NaN',
      e: { error: 'x' },
    });
  });
});

describe('runGraphInFolder', () => {
  test('writes config.json, graph.txt and summary.json (status ok, counters); a rerun archives the previous records', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'my-run');
      const { log, lines } = capturingLogger();
      const first = await runGraphInFolder({ name: 'squares', dir: out, config: { values: 3, weights: new Float32Array(4) }, log, quiet: true }, squares([1, 2, 3]));
      assert.equal(first.dir, out);
      assert.equal(first.status, 'ok');
      assert.equal(first.exitCode, 0);
      assert.deepEqual(first.summary.sinks[0]!.result, [1, 4, 9]);
      const config = readJson(path.join(out, 'config.json'));
      assert.equal(config.command, 'squares');
      assert.deepEqual(config.config, { values: 3, weights: { type: 'Float32Array', length: 16 } });
      assert.equal(fs.readFileSync(path.join(out, 'graph.txt'), 'utf8'), 'squares: numbers → square → out\n');
      const summary = readJson(path.join(out, 'summary.json'));
      assert.equal(summary.command, 'squares');
      assert.equal(summary.status, 'ok');
      assert.equal(summary.exitCode, 0);
      const graphs = summary.graphs as Array<{ name: string; sourceItems: number; stages: Array<{ name: string; seen: number; emitted: number }> }>;
      assert.deepEqual(graphs.map((g) => [g.name, g.sourceItems, g.stages.map((s) => [s.name, s.seen, s.emitted])]), [['squares', 3, [['square', 3, 3]]]]);
      assert.match(lines.join('\n'), /^squares: ok, 3 items in/m);
      assert.match(lines.join('\n'), new RegExp(`^run folder: ${out}$`, 'm'));

      const second = await runGraphInFolder({ name: 'squares', dir: out, config: { values: 2 }, log: silentLogger, quiet: true }, squares([5, 6]));
      assert.deepEqual(second.summary.sinks[0]!.result, [25, 36]);
      const history = fs.readFileSync(path.join(out, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { config: { config: unknown }; summary: { status: string } });
      assert.equal(history.length, 1);
      assert.deepEqual(history[0]!.config.config, { values: 3, weights: { type: 'Float32Array', length: 16 } });
      assert.equal(history[0]!.summary.status, 'ok');
      assert.deepEqual(readJson(path.join(out, 'config.json')).config, { values: 2 });
    } finally {
      cleanup();
    }
  });

  test('a cancelled run (signal, as Ctrl-C does) records status cancelled and exit code 130', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const controller = new AbortController();
      controller.abort();
      const run = await runGraphInFolder({ name: 'squares', dir: path.join(dir, 'r'), log: silentLogger, quiet: true, signal: controller.signal }, squares([1, 2, 3]));
      assert.equal(run.status, 'cancelled');
      assert.equal(run.exitCode, 130);
      const summary = readJson(path.join(run.dir, 'summary.json'));
      assert.deepEqual([summary.status, summary.exitCode], ['cancelled', 130]);
    } finally {
      cleanup();
    }
  });

  test('Ctrl-C (SIGINT) stops the source, drains, records status cancelled; the SIGINT handler is removed afterwards', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const listeners = process.listenerCount('SIGINT');
      async function* slowNumbers(): AsyncGenerator<number> {
        for (let i = 0; i < 1000; i++) {
          if (i === 3) process.emit('SIGINT');
          await new Promise((resolve) => setTimeout(resolve, 2));
          yield i;
        }
      }
      const graph = Graph.from(fromAsyncIterable('slow', () => slowNumbers())).pipe(mapStage('id', (v: number) => v)).to(collectSink<number>('out'));
      const { log, lines } = capturingLogger();
      const run = await runGraphInFolder({ name: 'slow', dir: path.join(dir, 'r'), log, quiet: true }, graph);
      assert.equal(run.status, 'cancelled');
      assert.equal(run.exitCode, 130);
      assert.ok(run.summary.sourceItems < 1000, `stopped early (${run.summary.sourceItems} items)`);
      const written = run.summary.sinks[0]!.written;
      const stage = run.summary.stages[0]!;
      assert.ok(written >= 3, `${written} items written`);
      assert.deepEqual([stage.seen, stage.emitted], [run.summary.sourceItems, written], 'every item pulled before the stop is drained to the sink');
      assert.equal(readJson(path.join(run.dir, 'summary.json')).status, 'cancelled');
      assert.match(lines.join('\n'), /interrupted: stopping the source/);
      assert.equal(process.listenerCount('SIGINT'), listeners);
    } finally {
      cleanup();
    }
  });

  test('a stage failure under onError throw comes back as status failed with the error, recorded in summary.json', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const graph = Graph.from(fromIterable('numbers', [1, 2, 3]))
        .pipe(mapStage('explode', (v: number) => {
          if (v === 2) throw new Error('two is not allowed');
          return v;
        }))
        .to(collectSink<number>('out'));
      const run = await runGraphInFolder({ name: 'boom', dir: path.join(dir, 'r'), log: silentLogger, quiet: true }, graph);
      assert.equal(run.status, 'failed');
      assert.equal(run.exitCode, 1);
      assert.match(run.error!.message, /stage 'explode' failed.*two is not allowed/);
      const summary = readJson(path.join(run.dir, 'summary.json'));
      assert.equal(summary.status, 'failed');
      assert.match(String(summary.error), /two is not allowed/);
    } finally {
      cleanup();
    }
  });

  test('the folder of another command is refused before anything is written', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'r');
      await runGraphInFolder({ name: 'first', dir: out, log: silentLogger, quiet: true }, squares([1]));
      const before = fs.readdirSync(out).sort();
      await assert.rejects(runGraphInFolder({ name: 'second', dir: out, log: silentLogger, quiet: true }, squares([1])), RunFolderError);
      assert.deepEqual(fs.readdirSync(out).sort(), before);
    } finally {
      cleanup();
    }
  });
});
