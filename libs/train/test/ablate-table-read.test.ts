/**
 * readAblationTable: a merged ablation.arrow reads back to the cells' factors and metrics, the grid and (for a partial
 * merge) the missing cells, enough to rebuild summary.md byte for byte.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { CellResult } from '../src/ablate/cell-run.js';
import { claimGridRecord } from '../src/ablate/grid-file.js';
import { gridCells, parseGrid } from '../src/ablate/grid.js';
import { readAblationTable } from '../src/ablate/ablation-table-read.js';
import { mergeAblation, PARTIAL_MERGE_DIR } from '../src/ablate/merge.js';
import { gridRecordOf } from '../src/ablate/run-grid.js';
import { summaryMarkdown } from '../src/ablate/summary.js';
import { finishCell, syntheticCellResult } from './ablate-fixtures.js';
import { tempDir, tinyJob } from './fixtures.js';

let root = '';
before(async () => {
  root = await tempDir('ablate-table-read');
});
after(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** What readAblationTable keeps of a CellResult. */
const tableCell = ({ format: _f, checkpoint: _c, finishedAt: _t, ...kept }: CellResult) => kept;

test('readAblationTable: a partial and then a complete merge read back to their cells, grid and missing cells; summary.md rebuilds exactly', async () => {
  const dir = path.join(root, 'grid');
  const grid = parseGrid({ dimsAbs: '8,16', sizes: '32', quantizer: 'simvq,vq', seeds: '0,1' }, { codebookDim: 96, codebookSize: 512, seed: 0 });
  const record = await claimGridRecord(dir, gridRecordOf({ grid, base: tinyJob({ data: 'train-{0..1}.tar', evalData: 'val.tar', out: dir, steps: 10 }) }));
  const cells = gridCells(grid, record.encoderWidth);
  const results = cells.map(syntheticCellResult);
  for (const result of results.slice(0, 5)) await finishCell(dir, result);

  await mergeAblation(dir, { partial: true });
  const partial = await readAblationTable(path.join(dir, PARTIAL_MERGE_DIR, 'ablation.arrow'));
  assert.deepEqual(partial.cells, results.slice(0, 5).map(tableCell));
  assert.ok(Number.isNaN(partial.cells[1]!.metrics.fd));
  assert.deepEqual(partial.missing, cells.slice(5).map((c) => c.name));
  assert.deepEqual(partial.grid.cells.map((c) => c.name), cells.map((c) => c.name));
  assert.equal(partial.grid.encoderWidth, record.encoderWidth);
  assert.deepEqual(partial.grid.grid, JSON.parse(JSON.stringify(record.grid)));
  assert.equal(partial.provenance.tool, 'vqrae ablate');
  const partialSummary = await fs.readFile(path.join(dir, PARTIAL_MERGE_DIR, 'summary.md'), 'utf8');
  assert.equal(summaryMarkdown(partial.grid, partial.cells, partial.missing), partialSummary);

  for (const result of results.slice(5)) await finishCell(dir, result);
  await mergeAblation(dir);
  const complete = await readAblationTable(path.join(dir, 'ablation.arrow'));
  assert.deepEqual(complete.cells, results.map(tableCell));
  assert.deepEqual(complete.missing, []);
  assert.equal(summaryMarkdown(complete.grid, complete.cells), await fs.readFile(path.join(dir, 'summary.md'), 'utf8'));
});

test('readAblationTable: a file that is not an ablation table is refused, naming the file and the reason', async () => {
  const notArrow = path.join(root, 'not-arrow.arrow');
  await fs.writeFile(notArrow, 'PAR1 not arrow at all');
  await assert.rejects(readAblationTable(notArrow), (error: Error) => error.message.includes(notArrow) && /not an Arrow IPC file/.test(error.message));
  await assert.rejects(readAblationTable(path.join(root, 'absent.arrow')), /absent\.arrow/);
});
