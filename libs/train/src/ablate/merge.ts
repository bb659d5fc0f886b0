/**
 * The merge step of an ablation: every cell of grid.json must have its `cell-result.json` (whichever rank wrote it);
 * then `ablation.arrow`, `summary.md`, `ablation.svg`/`.png` and `report.html` are written into the grid folder.
 */
import path from 'node:path';
import { makeProvenance } from '@vqrae/eval';
import { writeFileAtomic } from '@vqrae/graph';
import { writeAblationChart } from './ablation-chart.js';
import { writeAblationReport } from './ablation-report.js';
import { writeAblationTable } from './ablation-table.js';
import { cellDir, readCellResult, type CellResult } from './cell-run.js';
import { readGridRecord, type GridRecord } from './grid-file.js';
import { GridError } from './grid.js';
import { ablationRows, summaryMarkdown } from './summary.js';

/** Cells of the grid without a result yet (the merge refuses to run). */
export class GridIncompleteError extends Error {
  constructor(readonly missing: readonly string[], dir: string) {
    super(`ablate merge: ${missing.length} cell(s) of ${dir} have not finished: ${missing.join(', ')}; run (or rerun) the ranks that own them first`);
    this.name = 'GridIncompleteError';
  }
}

/** Files the merge writes. */
export interface AblationOutputs {
  readonly record: GridRecord;
  readonly results: readonly CellResult[];
  readonly arrow: string;
  readonly summary: string;
  readonly svg: string;
  readonly png: string;
  readonly report: string;
}

/** Every cell's result of the grid in `dir`, in grid order; throws GridIncompleteError naming unfinished cells. */
export async function readGridResults(dir: string): Promise<{ record: GridRecord; results: CellResult[] }> {
  const record = await readGridRecord(dir);
  if (record === null) throw new GridError(`ablate merge: ${dir} has no grid.json (not an ablation grid folder)`);
  const results: CellResult[] = [];
  const missing: string[] = [];
  for (const cell of record.cells) {
    const result = await readCellResult(cellDir(dir, cell));
    if (result === null) missing.push(cell.name);
    else results.push(result);
  }
  if (missing.length > 0) throw new GridIncompleteError(missing, dir);
  return { record, results };
}

/** Checks the grid is complete and writes its outputs (see the module comment). `command`: argv, for provenance. */
export async function mergeAblation(dir: string, command: readonly string[] = []): Promise<AblationOutputs> {
  const { record, results } = await readGridResults(dir);
  const provenance = makeProvenance({
    tool: 'vqrae ablate',
    command,
    config: { preset: record.preset, encoderWidth: record.encoderWidth, grid: record.grid, shared: record.shared, cells: record.cells.map((c) => c.name) },
  });
  const arrow = path.join(dir, 'ablation.arrow');
  await writeAblationTable(arrow, results, record, provenance);
  const summary = path.join(dir, 'summary.md');
  await writeFileAtomic(summary, summaryMarkdown(record, results));
  const title = `${record.preset}: codebook dim × size × quantizer (${String(record.shared['steps'])} stage-1 steps per cell)`;
  const chart = await writeAblationChart(ablationRows(results), record.encoderWidth, title, dir);
  const report = path.join(dir, 'report.html');
  await writeAblationReport(report, record, results, chart.svg, provenance);
  return { record, results, arrow, summary, svg: chart.svg, png: chart.png, report };
}
