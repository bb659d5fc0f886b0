/**
 * `ablation-dynamics.svg` / `.png`: held-out codebook utilisation and PSNR against the training step, one line per
 * quantizer × dim × size (mean over seeds, colour: dim, dash: quantizer), the seeds' min–max as a band.
 */
import { writePanelsSideBySide } from './ablation-chart.js';
import type { DynamicsSeries } from './cell-dynamics.js';
import type { Spread } from './summary.js';

interface Value {
  readonly quantizer: string;
  readonly dim: string;
  /** The dim again: the band's fill, a scale of its own so that the legend is the lines'. */
  readonly band: string;
  readonly step: number;
  readonly mean: number;
  readonly lo: number;
  readonly hi: number;
}

function values(series: readonly DynamicsSeries[], pick: (s: DynamicsSeries['steps'][number]) => Spread): Value[] {
  return series.flatMap((s) =>
    s.steps
      .filter((at) => !Number.isNaN(pick(at).mean))
      .map((at) => ({ quantizer: `${s.quantizer} k=${s.codebookSize}`, dim: String(s.codebookDim), band: String(s.codebookDim), step: at.step, mean: pick(at).mean, lo: pick(at).min, hi: pick(at).max })),
  );
}

function panel(title: string, yTitle: string, data: readonly Value[], dimOrder: readonly string[]): Record<string, unknown> {
  const x = { field: 'step', type: 'quantitative', title: 'optimizer step' };
  const color = { field: 'dim', type: 'ordinal', title: 'codebook dim', sort: dimOrder, scale: { scheme: 'viridis' }, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  const strokeDash = { field: 'quantizer', type: 'nominal', title: 'quantizer', legend: { symbolType: 'stroke', symbolStrokeWidth: 2, symbolSize: 400, encode: { symbols: { update: { stroke: { value: '#333' } } } } } };
  return {
    title,
    width: 420,
    height: 240,
    data: { values: data },
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' }, fill: { ...color, field: 'band', legend: null }, detail: { field: 'quantizer' } } },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: yTitle, scale: { zero: false } }, color, strokeDash } },
    ],
  };
}

/** Writes `<outDir>/<name>.svg` and `.png` (default name `ablation-dynamics`). */
export async function writeDynamicsChart(series: readonly DynamicsSeries[], title: string, outDir: string, name = 'ablation-dynamics'): Promise<{ svg: string; png: string }> {
  const dimOrder = [...new Set(series.map((s) => s.codebookDim))].sort((a, b) => a - b).map(String);
  return writePanelsSideBySide(title, [
    panel('codebook utilisation (held-out, during training)', 'utilisation (%)', values(series, (at) => at.utilisation), dimOrder),
    // Step 0 (the untrained decoder, ~8 dB) would flatten the differences that matter: PSNR from the next evaluation.
    panel('reconstruction PSNR (held-out, during training, after step 0)', 'PSNR (dB)', values(series, (at) => at.psnr).filter((v) => v.step > 0), dimOrder),
  ], outDir, name);
}
