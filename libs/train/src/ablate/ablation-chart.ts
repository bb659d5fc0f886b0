/**
 * `ablation.svg` / `ablation.png`: codebook utilisation and held-out PSNR against the codebook dim, one line per
 * codebook size × quantizer (mean over seeds), the seeds' min–max range as error bars.
 */
import type * as vl from 'vega-lite';
import { writeChart } from '../curves.js';
import type { AblationRow, Spread } from './summary.js';

/** One plotted point: a row's mean and seed range of one metric. */
interface Point {
  readonly series: string;
  readonly dim: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

function points(rows: readonly AblationRow[], pick: (r: AblationRow) => Spread): Point[] {
  return rows
    .filter((r) => !Number.isNaN(pick(r).mean))
    .map((r) => ({ series: `${r.quantizer} k=${r.codebookSize}`, dim: r.codebookDim, mean: pick(r).mean, lo: pick(r).min, hi: pick(r).max }));
}

function panel(title: string, yTitle: string, values: readonly Point[], encoderWidth: number): Record<string, unknown> {
  // Log-2 dim axis padded around the grid's dims and the encoder width, ticks at exactly those values.
  const ticks = [...new Set([...values.map((v) => v.dim), encoderWidth])].sort((a, b) => a - b);
  const domain = [ticks[0]! / 1.3, ticks[ticks.length - 1]! * 1.3];
  const x = {
    field: 'dim',
    type: 'quantitative',
    title: `codebook dim (encoder width ${encoderWidth}, dashed)`,
    scale: { type: 'log', base: 2, domain, nice: false },
    axis: { values: ticks, format: 'd' },
  };
  const color = { field: 'series', type: 'nominal', title: 'quantizer, size' };
  return {
    title,
    width: 420,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } }, color } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, color } },
      { mark: { type: 'rule', strokeDash: [4, 4], color: '#888' }, data: { values: [{ width: encoderWidth }] }, encoding: { x: { field: 'width', type: 'quantitative' } } },
    ],
  };
}

/** Writes `<outDir>/<name>.svg` and `.png` (default name `ablation`). */
export async function writeAblationChart(rows: readonly AblationRow[], encoderWidth: number, title: string, outDir: string, name = 'ablation'): Promise<{ svg: string; png: string }> {
  return writePanelsSideBySide(title, [
    panel('codebook utilisation (held-out)', 'utilisation (%)', points(rows, (r) => r.utilisation), encoderWidth),
    panel('reconstruction PSNR (held-out)', 'PSNR (dB)', points(rows, (r) => r.psnr), encoderWidth),
  ], outDir, name);
}

/** Renders Vega-Lite panels side by side under one title: `<outDir>/<name>.svg` and `.png`. */
export async function writePanelsSideBySide(title: string, panels: readonly Record<string, unknown>[], outDir: string, name: string): Promise<{ svg: string; png: string }> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    title: { text: title, offset: 12 },
    hconcat: panels,
  } as unknown as vl.TopLevelSpec;
  return writeChart(spec, outDir, name);
}
