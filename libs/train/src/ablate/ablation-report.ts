/** `report.html`: the ablation table, its plot (inline SVG) and the grid record, readable without network access. */
import fs from 'node:fs/promises';
import { escapeHtml, htmlTable, REPORT_CSS, type Provenance } from '@vqrae/eval';
import { writeFileAtomic } from '@vqrae/graph';
import type { CellResult } from './cell-run.js';
import type { GridRecord } from './grid-file.js';
import { ablationTable, partialNotice } from './summary.js';

/**
 * Writes `file` (HTML) with the table of `results`, the charts (`charts.dynamics`: null when the cells have no
 * evaluations during training) and the grid's settings (`missing`: a partial merge).
 */
export async function writeAblationReport(
  file: string,
  record: GridRecord,
  results: readonly CellResult[],
  charts: { readonly ablation: string; readonly dynamics: string | null },
  provenance: Provenance,
  missing: readonly string[] = [],
): Promise<void> {
  const { header, rows } = ablationTable(results);
  const svg = await fs.readFile(charts.ablation, 'utf8');
  const dynamics = charts.dynamics === null ? null : await fs.readFile(charts.dynamics, 'utf8');
  const cells = results.map((r) => [
    escapeHtml(r.cell.name), String(r.steps), r.metrics.psnr.toFixed(3), r.metrics.ssim.toFixed(4), (100 * r.metrics.utilisation).toFixed(1),
    r.wallSeconds.toFixed(1), `<code>${escapeHtml(r.metrics.checkpointSha256.slice(0, 16))}…</code>`,
  ]);
  const html = [
    '<!doctype html>',
    '<html><head><meta charset="utf-8"><title>vqrae ablate</title>',
    `<style>${REPORT_CSS}</style></head><body>`,
    `<h1>Codebook ablation: ${escapeHtml(record.preset)} (encoder width ${record.encoderWidth})</h1>`,
    ...(missing.length > 0 ? [`<p><strong>${escapeHtml(partialNotice(record, results, missing))}</strong></p>`] : []),
    '<p>Utilisation and PSNR against the codebook dimension, one line per codebook size and quantizer; error bars: the seeds\' min–max range. The dashed line marks the encoder width.</p>',
    svg,
    ...(dynamics === null ? [] : [
      '<h2>During training</h2>',
      '<p>Held-out utilisation and PSNR of the EMA weights at each training-time evaluation, mean over seeds (band: min–max). A codebook collapse shows as utilisation falling below its value at step 0.</p>',
      dynamics,
    ]),
    '<h2>Table (mean ± sample std over seeds)</h2>',
    htmlTable(header.map(escapeHtml), rows.map((r) => r.map(escapeHtml)), 'metrics', [3, 4, 5, 6, 7, 8, 9]),
    '<h2>Cells</h2>',
    htmlTable(['cell', 'steps', 'PSNR', 'SSIM', 'utilisation (%)', 'wall (s)', 'checkpoint sha256'], cells, 'metrics', [1, 2, 3, 4, 5]),
    '<h2>Grid and shared options</h2>',
    `<pre>${escapeHtml(JSON.stringify({ grid: record.grid, shared: record.shared }, null, 2))}</pre>`,
    '<h2>Provenance</h2>',
    `<pre>${escapeHtml(JSON.stringify(provenance, null, 2))}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
  await writeFileAtomic(file, html);
}
