/**
 * The merge step of an ablation: every cell of grid.json must have its `cell-result.json` (whichever rank wrote it);
 * then `ablation.arrow`, `summary.md`, `ablation.svg`/`.png`, `ablation-dynamics.svg`/`.png` (when the cells evaluated
 * during training) and `report.html` are written into the grid folder.
 * A partial merge (a look at a grid still training) writes the same files for the cells finished so far into
 * `<grid>/partial/`, each saying which cells are missing; the grid folder's own outputs stay the complete merge's.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeProvenance } from '@vqrae/eval';
import { writeFileAtomic } from '@vqrae/graph';
import { writeAblationChart } from './ablation-chart.js';
import { writeAblationReport } from './ablation-report.js';
import { writeAblationTable } from './ablation-table.js';
import { dynamicsSeries, readCellDynamics } from './cell-dynamics.js';
import { cellDir, readCellResult, type CellResult } from './cell-run.js';
import { writeDynamicsChart } from './dynamics-chart.js';
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
  /** Cells without a result (a partial merge; empty otherwise). */
  readonly missing: readonly string[];
  readonly arrow: string;
  readonly summary: string;
  readonly svg: string;
  readonly png: string;
  /** Utilisation and PSNR during training; null when some cell has no evaluations (`--eval-every 0`). */
  readonly dynamics: { readonly svg: string; readonly png: string } | null;
  readonly report: string;
}

/** The grid of `dir`, its finished cells' results (grid order) and the names of the cells without one. */
async function readFinishedCells(dir: string): Promise<{ record: GridRecord; results: CellResult[]; missing: string[] }> {
  const record = await readGridRecord(dir);
  if (record === null) throw new GridError(`ablate merge: ${dir} has no grid.json (not an ablation grid folder)`);
  const results: CellResult[] = [];
  const missing: string[] = [];
  for (const cell of record.cells) {
    const result = await readCellResult(cellDir(dir, cell));
    if (result === null) missing.push(cell.name);
    else results.push(result);
  }
  return { record, results, missing };
}

/** Every cell's result of the grid in `dir`, in grid order; throws GridIncompleteError naming unfinished cells. */
export async function readGridResults(dir: string): Promise<{ record: GridRecord; results: CellResult[] }> {
  const { record, results, missing } = await readFinishedCells(dir);
  if (missing.length > 0) throw new GridIncompleteError(missing, dir);
  return { record, results };
}

/** Options of a merge. */
export interface MergeOptions {
  /** argv, for provenance. */
  readonly command?: readonly string[];
  /** Merge the cells finished so far into `<dir>/partial/` (at least one must have finished). */
  readonly partial?: boolean;
}

/** The folder a partial merge writes into. */
export const PARTIAL_MERGE_DIR = 'partial';

/** Checks the grid is complete (unless `partial`) and writes its outputs (see the module comment). */
export async function mergeAblation(dir: string, options: MergeOptions = {}): Promise<AblationOutputs> {
  const { record, results, missing } = options.partial ? await readFinishedCells(dir) : { ...(await readGridResults(dir)), missing: [] };
  if (results.length === 0) throw new GridIncompleteError(missing, dir);
  const outDir = options.partial ? path.join(dir, PARTIAL_MERGE_DIR) : dir;
  await fs.mkdir(outDir, { recursive: true });
  const provenance = makeProvenance({
    tool: 'vqrae ablate',
    command: options.command ?? [],
    config: {
      preset: record.preset, encoderWidth: record.encoderWidth, grid: record.grid, shared: record.shared, cells: record.cells.map((c) => c.name),
      ...(options.partial ? { partial: { finished: results.map((r) => r.cell.name), missing } } : {}),
    },
  });
  const arrow = path.join(outDir, 'ablation.arrow');
  await writeAblationTable(arrow, results, record, provenance);
  const summary = path.join(outDir, 'summary.md');
  await writeFileAtomic(summary, summaryMarkdown(record, results, missing));
  const partial = missing.length > 0 ? ` — partial: ${results.length} of ${record.cells.length} cells` : '';
  const title = `${record.preset}: codebook dim × size × quantizer (${String(record.shared['steps'])} stage-1 steps per cell)${partial}`;
  const chart = await writeAblationChart(ablationRows(results), record.encoderWidth, title, outDir);
  const dynamics = await writeDynamics(dir, results, `${record.preset}: held-out evaluations during training${partial}`, outDir);
  const report = path.join(outDir, 'report.html');
  await writeAblationReport(report, record, results, { ablation: chart.svg, dynamics: dynamics?.svg ?? null }, provenance, missing);
  return { record, results, missing, arrow, summary, svg: chart.svg, png: chart.png, dynamics, report };
}

/** The dynamics chart of `results`' cells, or null (and no files: a stale chart is removed) when one has no evaluations. */
async function writeDynamics(dir: string, results: readonly CellResult[], title: string, outDir: string): Promise<{ svg: string; png: string } | null> {
  const cells = await Promise.all(results.map((r) => readCellDynamics(dir, r.cell)));
  if (cells.some((c) => c === null)) {
    await Promise.all(['svg', 'png'].map((ext) => fs.rm(path.join(outDir, `ablation-dynamics.${ext}`), { force: true })));
    return null;
  }
  return writeDynamicsChart(dynamicsSeries(cells.filter((c) => c !== null)), title, outDir);
}
