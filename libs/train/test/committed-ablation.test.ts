/**
 * The committed ablation grid (README "Reproducing the paper", assets/ablation/): its summary.md is what the code
 * makes of its ablation.arrow, the grid is complete, and the README's reading of it holds in the rows.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { readAblationTable } from '../src/ablate/ablation-table-read.js';
import { ablationRows, summaryMarkdown } from '../src/ablate/summary.js';

/**
 * The committed grid (README "Reproducing the paper"): its summary.md is what the code makes of its ablation.arrow,
 * every cell trained the grid's steps on the same held-out images, and the table's headline holds in the rows.
 */
test('assets/ablation: the committed summary.md is the table of the committed ablation.arrow, from a complete grid', async () => {
  const assets = path.resolve(import.meta.dirname, '../../../assets/ablation');
  const committed = await readAblationTable(path.join(assets, 'ablation.arrow'));
  assert.deepEqual(committed.missing, []);
  assert.deepEqual(committed.cells.map((c) => c.cell.name), committed.grid.cells.map((c) => c.name));
  assert.equal(summaryMarkdown(committed.grid, committed.cells), await fs.readFile(path.join(assets, 'summary.md'), 'utf8'));
  for (const { cell, steps, metrics } of committed.cells) {
    assert.equal(steps, committed.grid.shared['steps'], cell.name);
    assert.equal(metrics.images, committed.grid.shared['evalImages'], cell.name);
    assert.equal(metrics.codesUsed + metrics.deadCodes, cell.codebookSize, cell.name);
  }
  // The README's reading: at every dim, plain VQ uses fewer codes than SimVQ in every seed.
  const rows = ablationRows(committed.cells);
  for (const vq of rows.filter((r) => r.quantizer === 'vq')) {
    const simvq = rows.find((r) => r.quantizer === 'simvq' && r.codebookDim === vq.codebookDim && r.codebookSize === vq.codebookSize);
    assert.ok(simvq !== undefined, `no SimVQ row at dim ${vq.codebookDim}`);
    assert.ok(vq.utilisation.max < simvq.utilisation.min, `dim ${vq.codebookDim}: VQ ${vq.utilisation.max}% vs SimVQ ${simvq.utilisation.min}%`);
  }
});
