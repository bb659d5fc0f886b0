import { formatDuration } from '../progress.js';
import type { RunSummary } from '../types.js';

/** The per-stage table printed after a graph run (seen / emitted / skipped / dropped / errors / busy time). */
export function formatSummaryTable(name: string, summary: RunSummary): string {
  const header = ['stage', 'seen', 'emitted', 'skipped', 'dropped', 'errors', 'busy'];
  const rows = summary.stages.map((s) => [s.name, s.seen, s.emitted, s.skipped, s.dropped, s.errors, seconds(s.busyMs)].map(String));
  for (const sink of summary.sinks) rows.push([`→ ${sink.name}`, String(sink.written), '', '', '', '', seconds(sink.busyMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  const rate = summary.wallMs > 0 ? (summary.sourceItems * 1000) / summary.wallMs : 0;
  const footer = `${name}: ${summary.status}, ${summary.sourceItems} items in ${seconds(summary.wallMs)} (${rate.toFixed(1)} items/s, wall ${formatDuration(summary.wallMs)})`;
  return [line(header), ...rows.map(line), footer].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
