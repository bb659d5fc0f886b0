import { writeFileAtomic } from '@vqrae/graph';
import type { CodebookUsage } from '../metrics/codebook-usage.js';
import type { Provenance } from '../sinks/provenance.js';
import { codeUsageHistogramSvg, lossCurvesSvg, type LossCurve } from './charts.js';
import { escapeHtml, REPORT_CSS } from './html.js';
import { imageGridHtml, type PreviewPair } from './image-grid.js';
import { metricTableHtml, protocolHtml, type ReportMetric, type ReportProtocol } from './metric-table.js';

/** Everything an evaluation report shows; optional parts are omitted from the page when absent. */
export interface EvalReportInput {
  readonly title: string;
  readonly metrics: readonly ReportMetric[];
  readonly protocol: ReportProtocol;
  /** Original/reconstruction pairs (the first `maxPreviews` are shown). */
  readonly previews?: readonly PreviewPair[];
  /** Code assignments over the whole pass. */
  readonly codeUsage?: CodebookUsage;
  readonly lossCurves?: readonly LossCurve[];
  readonly provenance?: Provenance;
  /** Default 16. */
  readonly maxPreviews?: number;
}

/** Renders the report as one self-contained HTML string (inline CSS, SVG charts, base64 PNGs; no network). */
export async function renderEvalReport(input: EvalReportInput): Promise<string> {
  const sections: string[] = [
    `<h2>Metrics</h2>\n${metricTableHtml(input.metrics)}`,
    `<h2>Protocol</h2>\n${protocolHtml(input.protocol)}`,
  ];
  const previews = (input.previews ?? []).slice(0, input.maxPreviews ?? 16);
  if (previews.length > 0) sections.push(`<h2>Reconstructions</h2>\n${await imageGridHtml(previews)}`);
  if (input.codeUsage) {
    sections.push(`<h2>Code usage</h2>\n<div class="chart">${await codeUsageHistogramSvg(input.codeUsage)}</div>`);
  }
  const curves = (input.lossCurves ?? []).filter((c) => c.points.length > 0);
  if (curves.length > 0) sections.push(`<h2>Loss curves</h2>\n<div class="chart">${await lossCurvesSvg(curves)}</div>`);
  if (input.provenance) {
    sections.push(`<h2>Provenance</h2>\n<pre>${escapeHtml(JSON.stringify(input.provenance, null, 2))}</pre>`);
  }
  const title = escapeHtml(input.title);
  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${title}</title>\n<style>${REPORT_CSS}</style>\n</head>\n` +
    `<body>\n<h1>${title}</h1>\n${sections.join('\n')}\n</body>\n</html>\n`;
}

/** Renders and writes the report atomically (temporary file + rename). */
export async function writeEvalReport(path: string, input: EvalReportInput): Promise<void> {
  const html = await renderEvalReport(input);
  await writeFileAtomic(path, html);
}
