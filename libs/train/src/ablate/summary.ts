/**
 * The paper-style table of an ablation: one row per quantizer × dim × size, each metric as the mean over seeds ± the
 * sample standard deviation (n − 1), and its min–max range for the plot's error bars.
 */
import type { CellResult } from './cell-run.js';
import { finite } from './ablation-table.js';
import type { GridRecord } from './grid-file.js';
import type { AblationCell, QuantizerKind } from './grid.js';

/** What the table needs of a finished cell: its factors and held-out metrics (a CellResult, or a row of ablation.arrow). */
export type SummarisedCell = Pick<CellResult, 'cell' | 'metrics'>;

/** What summary.md needs of the grid: its preset, encoder width, shared options and the names of all its cells. */
export type SummarisedGrid = Pick<GridRecord, 'preset' | 'encoderWidth' | 'shared'> & { readonly cells: readonly Pick<AblationCell, 'name'>[] };

/** Mean, sample standard deviation (0 for one seed), min and max of a metric over the seeds of a row. */
export interface Spread {
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
}

/** One quantizer × dim × size row, aggregated over its seeds. */
export interface AblationRow {
  readonly quantizer: QuantizerKind;
  readonly codebookDim: number;
  readonly dimFraction: number | null;
  readonly codebookSize: number;
  readonly seeds: readonly number[];
  readonly psnr: Spread;
  readonly ssim: Spread;
  readonly fd: Spread;
  /** Utilisation as a percentage. */
  readonly utilisation: Spread;
  readonly perplexity: Spread;
  readonly deadCodes: Spread;
}

/** Spread of `values`; NaN entries (e.g. an FD over too few images) make the whole spread NaN. */
export function spread(values: readonly number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

/** Groups per-cell items by quantizer × dim × size (first-seen order), i.e. the seeds of one table row together. */
export function groupSeeds<T extends { readonly cell: AblationCell }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = `${item.cell.quantizer}|${item.cell.codebookDim}|${item.cell.codebookSize}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  return [...groups.values()];
}

/** Groups finished cells into rows (grid order: quantizer, dim, size). */
export function ablationRows(results: readonly SummarisedCell[]): AblationRow[] {
  return groupSeeds(results).map((cells) => {
    const first = cells[0]!.cell;
    const of = (pick: (r: SummarisedCell) => number | null | undefined) => spread(cells.map((r) => finite(pick(r))));
    return {
      quantizer: first.quantizer,
      codebookDim: first.codebookDim,
      dimFraction: first.dimFraction,
      codebookSize: first.codebookSize,
      seeds: cells.map((r) => r.cell.seed),
      psnr: of((r) => r.metrics.psnr),
      ssim: of((r) => r.metrics.ssim),
      fd: of((r) => r.metrics.fd),
      utilisation: of((r) => 100 * finite(r.metrics.utilisation)),
      perplexity: of((r) => r.metrics.perplexity),
      deadCodes: of((r) => r.metrics.deadCodes),
    };
  });
}

/** `20.14 ± 0.31` (`20.14` for one seed, `n/a` for NaN). */
export function formatSpread(s: Spread, digits: number, seeds: number): string {
  if (Number.isNaN(s.mean)) return 'n/a';
  return seeds > 1 ? `${s.mean.toFixed(digits)} ± ${s.std.toFixed(digits)}` : s.mean.toFixed(digits);
}

/** The FD column's label: the one feature space of every cell, or a note that they differ. */
export function fdColumnLabel(results: readonly SummarisedCell[]): string {
  const labels = [...new Set(results.map((r) => r.metrics.fdLabel))];
  return labels.length === 1 ? labels[0]! : 'FD[own frozen encoder; differs per cell]';
}

/** Header and cells of the table (shared by summary.md and report.html). */
export function ablationTable(results: readonly SummarisedCell[]): { header: string[]; rows: string[][] } {
  const rows = ablationRows(results);
  const header = ['quantizer', 'codebook dim', 'codebook size', 'seeds', 'PSNR (dB)', 'SSIM', fdColumnLabel(results), 'utilisation (%)', 'perplexity', 'dead codes'];
  return {
    header,
    rows: rows.map((r) => {
      const n = r.seeds.length;
      const dim = r.dimFraction === null ? String(r.codebookDim) : `${r.codebookDim} (${r.dimFraction}×d)`;
      return [
        r.quantizer, dim, String(r.codebookSize), r.seeds.join(','), formatSpread(r.psnr, 2, n), formatSpread(r.ssim, 3, n),
        formatSpread(r.fd, 3, n), formatSpread(r.utilisation, 1, n), formatSpread(r.perplexity, 1, n), formatSpread(r.deadCodes, 0, n),
      ];
    }),
  };
}

/** The notice a partial merge's outputs open with ('' for a complete grid). */
export function partialNotice(record: SummarisedGrid, results: readonly SummarisedCell[], missing: readonly string[]): string {
  if (missing.length === 0) return '';
  return `Partial merge: ${results.length} of ${record.cells.length} cells finished; missing ${missing.join(', ')}. ` +
    'Rows are means over the seeds that finished; this is not the grid\'s result.';
}

/** summary.md: the grid, the shared settings that matter, the table and how to read it (`missing`: a partial merge). */
export function summaryMarkdown(record: SummarisedGrid, results: readonly SummarisedCell[], missing: readonly string[] = []): string {
  const { header, rows } = ablationTable(results);
  const shared = record.shared;
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  const numeric = header.map((_, i) => (i < 1 ? '---' : '---:'));
  return [
    `# Codebook ablation: ${record.preset} (encoder width ${record.encoderWidth})`,
    '',
    ...(missing.length > 0 ? [`> **${partialNotice(record, results, missing)}**`, ''] : []),
    `Stage-1 cells (encoder frozen), ${String(shared['steps'])} steps each, batch ${String(shared['batch'])} × ${String(shared['accumulate'])}, lr ${String(shared['lr'])}; ` +
      `training data \`${String(shared['data'])}\`, held-out \`${String(shared['evalData'])}\` (first ${String(shared['evalImages'])} images, centre crop, EMA weights).`,
    '',
    line(header),
    line(numeric),
    ...rows.map(line),
    '',
    'Mean over seeds ± sample standard deviation (a single seed: the value). PSNR: mean of per-image PSNR on uint8 ' +
      'images; SSIM: torchmetrics variant; the FD column is a Fréchet distance in the named feature space (the ' +
      "cells' own frozen encoder, mean-pooled tokens), not FID and not comparable with published rFID; utilisation: " +
      'codes used at least once on the held-out images / codebook size.',
    '',
  ].join('\n');
}
