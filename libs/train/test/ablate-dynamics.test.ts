/**
 * Training dynamics of an ablation: cells' eval.jsonl read back (re-evaluated steps deduplicated, torn tails left
 * out), grouped into quantizer × dim × size series over seeds, and drawn by the merge as ablation-dynamics.svg/.png
 * (and in report.html); without evaluations in some cell, no chart (and no stale one).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dynamicsSeries, readCellDynamics } from '../src/ablate/cell-dynamics.js';
import { cellDir } from '../src/ablate/cell-run.js';
import { claimGridRecord } from '../src/ablate/grid-file.js';
import { gridCells, parseGrid, type AblationCell } from '../src/ablate/grid.js';
import { mergeAblation } from '../src/ablate/merge.js';
import { gridRecordOf } from '../src/ablate/run-grid.js';
import { finishCell, syntheticCellResult } from './ablate-fixtures.js';
import { tempDir, tinyJob } from './fixtures.js';

let root = '';
before(async () => {
  root = await tempDir('ablate-dynamics');
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const row = (step: number, psnr: number, utilisation: number): string =>
  JSON.stringify({ step, images: 4, psnr, utilisation, perplexity: 10, codesUsed: Math.round(32 * utilisation), driftMse: null, driftRelative: null });

async function writeEvalLog(dir: string, cell: AblationCell, text: string): Promise<void> {
  await fs.mkdir(cellDir(dir, cell), { recursive: true });
  await fs.writeFile(path.join(cellDir(dir, cell), 'eval.jsonl'), text);
}

test('dynamics: eval logs grouped over seeds per quantizer × dim × size; the merge draws them and leaves them out without logs', async () => {
  const dir = path.join(root, 'grid');
  const grid = parseGrid({ dimsAbs: '8', sizes: '32', quantizer: 'simvq,vq', seeds: '0,1' }, { codebookDim: 96, codebookSize: 512, seed: 0 });
  const record = await claimGridRecord(dir, gridRecordOf({ grid, base: tinyJob({ data: 'train.tar', evalData: 'val.tar', out: dir, steps: 10 }) }));
  const [simvq0, simvq1, vq0, vq1] = gridCells(grid, record.encoderWidth);
  assert.deepEqual([simvq0, simvq1, vq0, vq1].map((c) => c?.name), ['simvq-d8-k32-s0', 'simvq-d8-k32-s1', 'vq-d8-k32-s0', 'vq-d8-k32-s1']);
  // simvq s0 was killed after its step-10 evaluation and resumed from step 5: step 10 is logged twice (the last counts).
  await writeEvalLog(dir, simvq0!, [row(0, 8, 0.25), row(5, 15, 0.5), row(10, 16, 0.5), row(10, 17, 0.75)].join('\n') + '\n');
  // simvq s1 was killed mid-append: a torn last line; it has no step-10 row, so step 10 is not a seed mean.
  await writeEvalLog(dir, simvq1!, [row(0, 8, 0.25), row(5, 16, 0.625)].join('\n') + '\n{"step":10,"psn');
  await writeEvalLog(dir, vq0!, [row(5, 16, 0.125), row(0, 8, 0.25), row(10, 17, 0.0625)].join('\n') + '\n');
  await writeEvalLog(dir, vq1!, [row(0, 8, 0.25), row(5, 16, 0.125), row(10, 18, 0.125)].join('\n') + '\n');
  // A NaN PSNR was logged as null (JSON has no NaN): it reads back as NaN, and the seed mean at that step is NaN.
  const nanDir = path.join(root, 'nan');
  await writeEvalLog(nanDir, vq1!, `${row(0, 8, 0.25).replace('"psnr":8', '"psnr":null')}\n`);
  assert.ok(Number.isNaN((await readCellDynamics(nanDir, vq1!))!.points[0]!.psnr));

  const s0 = await readCellDynamics(dir, simvq0!);
  assert.deepEqual(s0?.points, [{ step: 0, psnr: 8, utilisation: 0.25 }, { step: 5, psnr: 15, utilisation: 0.5 }, { step: 10, psnr: 17, utilisation: 0.75 }]);
  assert.deepEqual((await readCellDynamics(dir, vq0!))?.points.map((p) => p.step), [0, 5, 10]);
  assert.deepEqual((await readCellDynamics(dir, simvq1!))?.points.map((p) => p.step), [0, 5]);

  const cells = await Promise.all([simvq0, simvq1, vq0, vq1].map((c) => readCellDynamics(dir, c!)));
  const series = dynamicsSeries(cells.map((c) => c!));
  assert.deepEqual(series.map((s) => [s.quantizer, s.codebookDim, s.seeds, s.steps.map((at) => at.step)]), [
    ['simvq', 8, [0, 1], [0, 5]],
    ['vq', 8, [0, 1], [0, 5, 10]],
  ]);
  const simvqAt5 = series[0]!.steps[1]!;
  assert.deepEqual(simvqAt5.psnr, { mean: 15.5, std: Math.SQRT1_2, min: 15, max: 16 });
  assert.equal(simvqAt5.utilisation.mean, 56.25); // percent
  const vqAt10 = series[1]!.steps[2]!;
  assert.deepEqual([vqAt10.utilisation.min, vqAt10.utilisation.max, vqAt10.psnr.mean], [6.25, 12.5, 17.5]);

  for (const [index, cell] of [simvq0, simvq1, vq0, vq1].entries()) await finishCell(dir, syntheticCellResult(cell!, index));
  const outputs = await mergeAblation(dir);
  assert.ok(outputs.dynamics !== null);
  const svg = await fs.readFile(outputs.dynamics.svg, 'utf8');
  assert.match(svg, /^<svg/);
  assert.match(svg, /during training/);
  assert.ok((await fs.stat(outputs.dynamics.png)).size > 1000);
  const report = await fs.readFile(outputs.report, 'utf8');
  assert.match(report, /<h2>During training<\/h2>/);
  assert.equal((report.match(/<svg/g) ?? []).length, 2);

  // One cell trained with --eval-every 0: no dynamics chart, and the earlier one is removed rather than left stale.
  await fs.rm(path.join(cellDir(dir, vq1!), 'eval.jsonl'));
  const again = await mergeAblation(dir);
  assert.equal(again.dynamics, null);
  await assert.rejects(fs.stat(path.join(dir, 'ablation-dynamics.svg')), { code: 'ENOENT' });
  await assert.rejects(fs.stat(path.join(dir, 'ablation-dynamics.png')), { code: 'ENOENT' });
  assert.doesNotMatch(await fs.readFile(again.report, 'utf8'), /During training/);
});

test('dynamics: an eval log with a line that is not an evaluation is an error naming the file and line', async () => {
  const dir = path.join(root, 'bad');
  const grid = parseGrid({ dimsAbs: '8', sizes: '32', seeds: '0' }, { codebookDim: 96, codebookSize: 512, seed: 0 });
  const [cell] = gridCells(grid, 96);
  await writeEvalLog(dir, cell!, `${row(0, 8, 0.25)}\nnot json\n${row(5, 9, 0.5)}\n`);
  await assert.rejects(readCellDynamics(dir, cell!), (error: Error) => error.message.includes(path.join(cellDir(dir, cell!), 'eval.jsonl')) && error.message.includes(':2:'));
});
