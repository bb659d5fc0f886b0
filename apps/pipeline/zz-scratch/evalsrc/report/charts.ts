import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { CodebookUsage } from '../metrics/codebook-usage.js';

/**
 * Charts rendered to SVG strings server-side (vega-lite → vega → SVG, renderer 'none': no browser, no canvas).
 */

/** Compiles a vega-lite spec and renders it to a standalone SVG string. */
export async function renderVegaLiteSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Code-usage histogram as SVG: token count per code index (consecutive codes summed into at most `maxBars` bins for
 * large codebooks) beside the rank plot (codes sorted by usage, log count), which shows collapse at a glance.
 */
export async function codeUsageHistogramSvg(usage: CodebookUsage, options: { maxBars?: number } = {}): Promise<string> {
  const bins = usage.histogram(options.maxBars ?? 256).map((b) => ({ code: b.startCode, codeEnd: b.endCode, tokens: b.count }));
  const binSize = bins[0]!.codeEnd - bins[0]!.code;
  const sorted = usage.rankedCounts();
  const rankStep = Math.max(1, Math.floor(sorted.length / 512));
  const ranks: { rank: number; tokens: number }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    if ((i % rankStep === 0 || i === sorted.length - 1) && sorted[i]! > 0) ranks.push({ rank: i + 1, tokens: sorted[i]! });
  }
  const fig = usage.summary();
  const xTitle = binSize === 1 ? 'code index' : `code index (bins of ${binSize})`;
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `code usage: ${fig.usedCodes}/${fig.codebookSize} used (${(100 * fig.utilization).toFixed(1)}%), ${fig.deadCodes} dead, perplexity ${fig.perplexity.toFixed(1)}`,
    hconcat: [
      {
        width: 480, height: 200, data: { values: bins }, mark: { type: 'bar' },
        encoding: {
          x: { field: 'code', type: 'quantitative', title: xTitle, bin: { binned: true, step: binSize } },
          x2: { field: 'codeEnd' }, // pre-binned data: each bar spans [code, codeEnd)
          y: { field: 'tokens', type: 'quantitative', title: 'tokens' },
        },
      },
      {
        width: 260, height: 200, data: { values: ranks }, mark: { type: 'line', point: false },
        encoding: {
          x: { field: 'rank', type: 'quantitative', title: 'code rank (by usage)' },
          y: { field: 'tokens', type: 'quantitative', title: 'tokens (log)', scale: { type: 'log' } },
        },
      },
    ],
  };
  return renderVegaLiteSvg(spec);
}

/** One named series of a loss curve. */
export interface LossCurve {
  readonly name: string;
  readonly points: readonly { readonly step: number; readonly value: number }[];
}

/** Loss curves as one SVG line chart (log y when all values are positive and span more than 100×). */
export async function lossCurvesSvg(curves: readonly LossCurve[]): Promise<string> {
  const values = curves.flatMap((c) => c.points.filter((p) => Number.isFinite(p.value)).map((p) => ({ series: c.name, step: p.step, value: p.value })));
  if (values.length === 0) throw new Error('lossCurvesSvg: no finite points');
  const ys = values.map((v) => v.value);
  const min = Math.min(...ys);
  const useLog = min > 0 && Math.max(...ys) / min > 100;
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 640, height: 260, data: { values }, mark: { type: 'line' },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: useLog ? 'value (log)' : 'value', scale: { type: useLog ? 'log' : 'linear', zero: false } },
      color: { field: 'series', type: 'nominal', title: 'loss' },
    },
  };
  return renderVegaLiteSvg(spec);
}
