import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { tableFromIPC } from 'apache-arrow';
import { silentLogger } from '@vqrae/graph';
import { cellDir, CELL_RESULT_FILE, cellTrainConfig, readCellResult } from '../src/ablate/cell-run.js';
import { claimGridRecord, GRID_FILE } from '../src/ablate/grid-file.js';
import { gridCells, GridError, parseGrid } from '../src/ablate/grid.js';
import { GridIncompleteError, mergeAblation } from '../src/ablate/merge.js';
import { gridRecordOf, runAblation } from '../src/ablate/run-grid.js';
import { gridStatus, statusText, type LockHolderOf } from '../src/ablate/status.js';
import { readStepLog } from '../src/step-log.js';
import { runTrainJob } from '../src/train-job.js';
import { tempDir, tinyJob, writeSyntheticShards } from './fixtures.js';

let root = '';
let base: ReturnType<typeof tinyJob>;
// Two cells (codebook size 32 and 64 at dim 16): rank 0 of 2 takes the first, rank 1 the second.
const grid = parseGrid({ dimsAbs: '16', sizes: '32,64', seeds: '0' }, { codebookDim: 96, codebookSize: 512, seed: 0 });
const host = { log: silentLogger };

before(async () => {
  root = await tempDir('ablate');
  const data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 16, 8);
  const evalData = await writeSyntheticShards(path.join(root, 'shards'), 'val', 4, 4, 1000);
  base = tinyJob({ data, evalData, out: root, steps: 4, batch: 4, warmupSteps: 1, checkpointEvery: 2, evalImages: 4 });
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Rows of ablation.arrow as plain objects (column → value). */
async function rowsOf(dir: string): Promise<Record<string, unknown>[]> {
  const table = tableFromIPC(await fs.readFile(path.join(dir, 'ablation.arrow')));
  return table.toArray().map((row) => ({ ...(row.toJSON() as Record<string, unknown>) }));
}

test('ablate: one process trains and evaluates every cell, then writes ablation.arrow, summary.md, the plot and report.html', async () => {
  const tensors = tf.memory().numTensors;
  const dir = path.join(root, 'single');
  const report = await runAblation({ dir, grid, base, rank: 0, worldSize: 1 }, host);
  assert.deepEqual(report.finished.map((r) => r.cell.name), ['simvq-d16-k32-s0', 'simvq-d16-k64-s0']);
  assert.equal(report.cancelled, false);
  for (const result of report.finished) {
    const m = result.metrics;
    assert.equal(m.images, 4);
    assert.ok(m.psnr > 5 && m.psnr < 40, `psnr ${m.psnr}`);
    assert.ok(m.ssim > -1 && m.ssim <= 1);
    assert.ok(Number.isFinite(m.fd) && m.fd >= 0);
    assert.match(m.fdLabel, /^FD\[frozen-encoder-[0-9a-f]{12}\]$/);
    assert.equal(m.codesUsed + m.deadCodes, result.cell.codebookSize);
    assert.equal(m.utilisation, m.codesUsed / result.cell.codebookSize);
    assert.match(m.checkpointSha256, /^[0-9a-f]{64}$/);
    const config = JSON.parse(await fs.readFile(path.join(cellDir(dir, result.cell), 'train-config.json'), 'utf8')) as Record<string, unknown>;
    assert.deepEqual(config['quantizer'], { kind: 'simvq', codebookSize: result.cell.codebookSize, codebookDim: 16 });
  }
  const outputs = await mergeAblation(dir);
  const rows = await rowsOf(dir);
  assert.deepEqual(rows.map((r) => [r['cell'], r['codebook_size'], r['codebook_dim'], r['steps']]), [['simvq-d16-k32-s0', 32, 16, 4], ['simvq-d16-k64-s0', 64, 16, 4]]);
  assert.equal(rows[0]!['psnr'], report.finished[0]!.metrics.psnr);
  const schema = tableFromIPC(await fs.readFile(outputs.arrow)).schema;
  assert.match(schema.metadata.get('vqrae.provenance') ?? '', /vqrae ablate/);
  assert.match(schema.metadata.get('vqrae.ablation_grid') ?? '', /"sizes":\[32,64\]/);
  const summary = await fs.readFile(outputs.summary, 'utf8');
  assert.match(summary, /\| simvq \| 16 \| 32 \| 0 \| \d+\.\d\d \|/);
  assert.match(await fs.readFile(outputs.report, 'utf8'), /<svg/);
  assert.ok((await fs.stat(outputs.png)).size > 1000);
  assert.equal(tf.memory().numTensors, tensors);
});

test('ablate: two ranks, one cell killed and resumed, a rerun skipping finished cells, merge equal to one process (bit-identical metrics)', async () => {
  const dir = path.join(root, 'ranks');
  const rank0 = await runAblation({ dir, grid, base, rank: 0, worldSize: 2 }, host);
  assert.deepEqual(rank0.finished.map((r) => r.cell.name), ['simvq-d16-k32-s0']);
  await assert.rejects(mergeAblation(dir), (error: unknown) => error instanceof GridIncompleteError && /simvq-d16-k64-s0/.test(error.message));
  // A look at the grid while rank 1 trains: the finished cell only, in partial/, saying what is missing.
  const partial = await mergeAblation(dir, { partial: true });
  assert.equal(path.dirname(partial.arrow), path.join(dir, 'partial'));
  assert.deepEqual(partial.missing, ['simvq-d16-k64-s0']);
  assert.deepEqual((await rowsOf(path.join(dir, 'partial'))).map((r) => r['cell']), ['simvq-d16-k32-s0']);
  assert.match(await fs.readFile(partial.summary, 'utf8'), /Partial merge: 1 of 2 cells finished; missing simvq-d16-k64-s0\./);
  assert.match(await fs.readFile(partial.report, 'utf8'), /Partial merge: 1 of 2 cells finished/);
  await assert.rejects(fs.stat(path.join(dir, 'summary.md')), 'the grid folder keeps no merge output until it is complete');
  const states = async (lockHolder?: LockHolderOf) => (await gridStatus(dir, lockHolder)).cells.map((c) => [c.cell.name, c.state, c.checkpointStep, c.loggedStep]);
  assert.deepEqual((await states()).map(([name, state]) => [name, state]), [['simvq-d16-k32-s0', 'finished'], ['simvq-d16-k64-s0', 'waiting']]);
  // Rank 1's cell as a killed run leaves it: checkpoint at step 2, no result.
  const killed = gridCells(grid, 64)[1]!;
  await runTrainJob({ ...cellTrainConfig(base, dir, killed, false), stopAfterStep: 2 }, silentLogger);
  assert.equal(await readCellResult(cellDir(dir, killed)), null);
  assert.deepEqual((await states())[1], ['simvq-d16-k64-s0', 'stopped', 2, 2]);
  const live = await gridStatus(dir, () => ({ alive: true, description: 'pid 1 on test' }));
  assert.equal(live.cells[1]!.state, 'training');
  const text = statusText(dir, live.record, live.cells);
  assert.match(text, /training simvq-d16-k64-s0 +step 2\/4 \(checkpoint 2\), pid 1 on test/);
  assert.match(text, /1 finished, 1 training, 0 stopped, 0 waiting; ≈ [0-9.]+ cell-hour\(s\) left/);
  const killedSeconds = (await readStepLog(path.join(cellDir(dir, killed), 'log'))).at(-1)!['wall_s']!;
  const rank1Started = performance.now();
  const rank1 = await runAblation({ dir, grid, base, rank: 1, worldSize: 2 }, host);
  const rank1Seconds = (performance.now() - rank1Started) / 1000;
  assert.equal(rank1.finished[0]!.resumedFromStep, 2, 'resumed from its checkpoint');
  // The cell's wall time is both invocations': the killed run's 2 steps and the resumed run's rest + evaluation.
  const wall = rank1.finished[0]!.wallSeconds;
  assert.ok(wall > killedSeconds && wall - killedSeconds <= rank1Seconds, `${wall} s = ${killedSeconds} s before the kill + at most ${rank1Seconds} s`);
  const resultFile = path.join(cellDir(dir, rank0.finished[0]!.cell), CELL_RESULT_FILE);
  const before = (await fs.stat(resultFile)).mtimeMs;
  const again = await runAblation({ dir, grid, base, rank: 0, worldSize: 2 }, host);
  assert.deepEqual(again.skipped, ['simvq-d16-k32-s0']);
  assert.equal(again.finished.length, 0);
  assert.equal((await fs.stat(resultFile)).mtimeMs, before, 'a finished cell is not retrained');
  assert.deepEqual((await mergeAblation(dir)).missing, []);
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ wall_s: _w, resumed_from_step: _r, ...rest }) => rest);
  assert.deepEqual(strip(await rowsOf(dir)), strip(await rowsOf(path.join(root, 'single'))));
});

test('ablate: a rerun with other shared options is refused; an unclaimed folder or one without a finished cell cannot be merged', async () => {
  const dir = path.join(root, 'single');
  const gridBefore = await fs.readFile(path.join(dir, GRID_FILE), 'utf8');
  await assert.rejects(
    runAblation({ dir, grid, base: { ...base, steps: 5 }, rank: 0, worldSize: 1 }, host),
    (error: unknown) => error instanceof GridError && /steps 4 → 5/.test(error.message) && /choose another --out/.test(error.message),
  );
  await assert.rejects(
    runAblation({ dir, grid: { ...grid, sizes: [32] }, base, rank: 0, worldSize: 1 }, host),
    (error: unknown) => error instanceof GridError && /grid\.sizes \[32,64\] → \[32\]/.test(error.message),
  );
  assert.equal(await fs.readFile(path.join(dir, GRID_FILE), 'utf8'), gridBefore);
  // Per-invocation settings (how often to checkpoint or evaluate) are not part of the grid's identity.
  await claimGridRecord(dir, gridRecordOf({ grid, base: { ...base, checkpointEvery: 1, evalEvery: 3 } }));
  await assert.rejects(mergeAblation(path.join(root, 'nothing')), (error: unknown) => error instanceof GridError && /no grid\.json/.test(error.message));
  // A grid with no finished cell has nothing to merge, even partially.
  const fresh = path.join(root, 'claimed-only');
  await claimGridRecord(fresh, gridRecordOf({ grid, base }));
  await assert.rejects(mergeAblation(fresh, { partial: true }), (error: unknown) => error instanceof GridIncompleteError && /2 cell\(s\)/.test(error.message));
});

test('ablate: a cell killed between its last step and its result (during the evaluation) is evaluated on rerun, not retrained', async () => {
  const dir = path.join(root, 'killed-in-eval');
  const oneCell = parseGrid({ dimsAbs: '16', sizes: '32', seeds: '0' }, { codebookDim: 96, codebookSize: 512, seed: 0 });
  const cell = gridCells(oneCell, 64)[0]!;
  // Training finished (final checkpoint and EMA weights written), the process died before cell-result.json.
  await runTrainJob(cellTrainConfig(base, dir, cell, false), silentLogger);
  const stepsLogged = (await readStepLog(path.join(cellDir(dir, cell), 'log'))).length;
  const report = await runAblation({ dir, grid: oneCell, base, rank: 0, worldSize: 1 }, host);
  assert.equal(report.finished[0]!.resumedFromStep, base.steps, 'resumed at the last step: nothing trained again');
  assert.equal((await readStepLog(path.join(cellDir(dir, cell), 'log'))).length, stepsLogged);
  const single = await readCellResult(cellDir(path.join(root, 'single'), cell));
  assert.deepEqual(report.finished[0]!.metrics, single!.metrics, 'the same metrics as the cell trained and evaluated in one go');
});
