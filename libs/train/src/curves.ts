import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { StepRow } from './step-log.js';
import { writeFileAtomic } from '@vqrae/graph';

/** One held-out evaluation point (for the PSNR panel). */
export interface EvalPoint {
  readonly step: number;
  readonly psnr: number;
  readonly utilisation: number;
  readonly perplexity: number;
  /** Stage 2: mean (Z_I − Z_T)² on the held-out set; null in stage 1. */
  readonly driftMse: number | null;
}

/** Renders a Vega-Lite spec to SVG with vega's headless renderer (no browser, no canvas). */
export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Which panel a logged column belongs to: reconstruction-side losses, the D step, or GAN diagnostics. */
function panelOf(column: string): 'losses' | 'discriminator' | 'diagnostics' {
  if (column.includes('grad_norm') || column.includes('gan.')) return 'diagnostics';
  if (/\.d_[a-z]+$/.test(column)) return 'discriminator';
  return 'losses';
}

/** Running means over `smooth` steps of the given columns, NaN/non-positive points left out (log scales). */
function smoothed(rows: readonly StepRow[], columns: readonly string[], smooth: number, positiveOnly: boolean) {
  const values: { step: number; term: string; value: number }[] = [];
  for (const column of columns) {
    let window: number[] = [];
    for (const row of rows) {
      const value = row[column]!;
      if (Number.isNaN(value)) continue; // not active at this step (e.g. adversarial terms before their start)
      window.push(value);
      if (window.length > smooth) window = window.slice(window.length - smooth);
      const mean = window.reduce((a, b) => a + b, 0) / window.length;
      if (Number.isFinite(mean) && (!positiveOnly || mean > 0)) values.push({ step: row['step']!, term: column.replace(/^loss_/, ''), value: mean });
    }
  }
  return values;
}

function seriesPanel(title: string, values: readonly object[], yTitle: string, log: boolean): Record<string, unknown> {
  return {
    title,
    width: 560,
    height: 220,
    data: { values },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
      y: { field: 'value', type: 'quantitative', scale: log ? { type: 'log' } : { zero: false }, title: yTitle },
      color: { field: 'term', type: 'nominal', title: 'term', legend: { labelLimit: 320 } },
    },
  };
}

/**
 * Loss curves of a run (running mean over `smooth` steps): the loss and its terms (log scale); with a GAN, the
 * discriminator's hinge/real/fake/accuracy and the GAN diagnostics (adaptive weight, gradient norms) in their own
 * panels; held-out PSNR and (stage 2) feature drift when evaluations exist. Writes `<outDir>/<name>.svg` and `.png`.
 */
export async function writeLossCurves(
  rows: readonly StepRow[],
  evals: readonly EvalPoint[],
  outDir: string,
  opts: { readonly title: string; readonly name?: string; readonly smooth?: number },
): Promise<{ svg: string; png: string }> {
  const smooth = opts.smooth ?? Math.max(1, Math.round(rows.length / 100));
  const columns = rows.length === 0 ? [] : Object.keys(rows[0]!).filter((c) => c.startsWith('loss'));
  const of = (panel: ReturnType<typeof panelOf>) => columns.filter((c) => panelOf(c) === panel);
  const panels: Record<string, unknown>[] = [
    seriesPanel(`${opts.title}: training losses (running mean over ${smooth} steps)`, smoothed(rows, of('losses'), smooth, true), 'loss (log scale)', true),
  ];
  const discriminator = smoothed(rows, of('discriminator'), smooth, false);
  if (discriminator.length > 0) panels.push(seriesPanel(`${opts.title}: discriminator step`, discriminator, 'hinge terms / accuracy', false));
  const diagnostics = smoothed(rows, of('diagnostics'), smooth, true);
  if (diagnostics.length > 0) panels.push(seriesPanel(`${opts.title}: GAN diagnostics`, diagnostics, 'value (log scale)', true));
  if (evals.length > 0) {
    panels.push({
      title: `${opts.title}: held-out PSNR (EMA weights)`,
      width: 560,
      height: 160,
      data: { values: evals.map((e) => ({ step: e.step, psnr: e.psnr })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'optimizer step' },
        y: { field: 'psnr', type: 'quantitative', scale: { zero: false }, title: 'PSNR (dB)' },
      },
    });
  }
  const drift = evals.filter((e) => e.driftMse !== null);
  if (drift.length > 0) panels.push(driftPanel(`${opts.title}: feature drift from the teacher`, drift.map((e) => ({ run: opts.title, step: e.step, drift: e.driftMse! }))));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    vconcat: panels,
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } }, // one legend per panel
  } as unknown as vl.TopLevelSpec;
  return writeChart(spec, outDir, opts.name ?? 'loss-curves');
}

function driftPanel(title: string, values: { run: string; step: number; drift: number }[]): Record<string, unknown> {
  return {
    title,
    width: 560,
    height: 160,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'stage-2 step' },
      y: { field: 'drift', type: 'quantitative', title: 'mean (Z_I − Z_T)² (held-out, EMA)' },
      color: { field: 'run', type: 'nominal', title: 'run' },
    },
  };
}

/** Stage-2 feature drift of several runs in one chart (e.g. λ_D = 1 vs 0): `<outDir>/<name>.svg` and `.png`. */
export async function writeDriftComparison(
  runs: readonly { readonly label: string; readonly evals: readonly EvalPoint[] }[],
  outDir: string,
  name = 'drift-comparison',
): Promise<{ svg: string; png: string }> {
  const values = runs.flatMap((r) => r.evals.filter((e) => e.driftMse !== null).map((e) => ({ run: r.label, step: e.step, drift: e.driftMse! })));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    ...driftPanel('stage 2: student–teacher feature drift on held-out images', values),
  } as unknown as vl.TopLevelSpec;
  return writeChart(spec, outDir, name);
}

/** Renders `spec` and writes `<outDir>/<name>.svg` and its PNG rasterisation. */
export async function writeChart(spec: vl.TopLevelSpec, outDir: string, name: string): Promise<{ svg: string; png: string }> {
  const svg = await renderSvg(spec);
  await fs.mkdir(outDir, { recursive: true });
  const svgPath = path.join(outDir, `${name}.svg`);
  const pngPath = path.join(outDir, `${name}.png`);
  await writeFileAtomic(svgPath, svg);
  await writeFileAtomic(pngPath, await sharp(Buffer.from(svg)).png().toBuffer());
  return { svg: svgPath, png: pngPath };
}
