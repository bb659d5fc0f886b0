import { frechetLabel, frechetProtocol, type FeatureSpace, type FrechetUse } from '../fid/feature-space.js';
import { escapeHtml, htmlTable } from './html.js';

/** One row of the report's metric table. */
export interface ReportMetric {
  /** Display name; for Fréchet distances use {@link frechetLabel} (e.g. `rFID[torch-fidelity]`, `FD[...]`). */
  readonly name: string;
  readonly value: number;
  /** e.g. `dB`, `1` (dimensionless), `%`. */
  readonly unit: string;
  /** Decimal places shown (default 4); the raw value stays in metrics.arrow / summary.json. */
  readonly digits?: number;
  /** How it was computed (variant, data range, …). */
  readonly note?: string;
}

/** The evaluation protocol (model-spec.md §8.7 reporting checklist). */
export interface ReportProtocol {
  readonly nImages: number;
  /** Feature space of the Fréchet distance, if one was computed, and whether it is reconstruction or generation. */
  readonly frechet?: { readonly space: FeatureSpace; readonly use: FrechetUse };
  /** e.g. `torchmetrics (gaussian 11x11, σ 1.5, data_range 1, border full)`. */
  readonly ssimVariant: string;
  /** How reconstructions were turned into 8-bit images before scoring. */
  readonly uint8Rounding: 'round-half-up' | 'truncate' | 'none (float)';
  /** Whether the EMA weights were evaluated. */
  readonly ema: boolean;
  /** Default: mean of per-image PSNR (not PSNR of the mean MSE). */
  readonly psnrDefinition?: string;
  /** Further checklist entries: codebook k×e, tokens/image, encoder weights sha256, … */
  readonly extra?: Readonly<Record<string, string>>;
}

/** Formats a value with fixed decimals; non-finite values print as-is (`NaN`, `Infinity`). */
export function formatMetric(value: number, digits = 4): string {
  return Number.isFinite(value) ? value.toFixed(digits) : String(value);
}

/** The metric table (name, value, unit, note) as HTML. */
export function metricTableHtml(metrics: readonly ReportMetric[]): string {
  const rows = metrics.map((m) => [
    escapeHtml(m.name), formatMetric(m.value, m.digits), escapeHtml(m.unit), escapeHtml(m.note ?? ''),
  ]);
  return htmlTable(['metric', 'value', 'unit', 'how'], rows, 'metrics', [1]);
}

/** The protocol block as [label, value] pairs (also used by the CLI's printed summary). */
export function protocolEntries(protocol: ReportProtocol): [string, string][] {
  const entries: [string, string][] = [
    ['images (n)', String(protocol.nImages)],
    ['Fréchet distance', protocol.frechet
      ? `${frechetLabel(protocol.frechet.space, protocol.frechet.use)}: ${frechetProtocol(protocol.frechet.space)}`
      : 'not computed'],
    ['SSIM variant', protocol.ssimVariant],
    ['PSNR', protocol.psnrDefinition ?? 'mean of per-image PSNR on 8-bit images (not PSNR of the mean MSE)'],
    ['uint8 rounding', protocol.uint8Rounding],
    ['EMA weights', protocol.ema ? 'yes' : 'no'],
  ];
  for (const [k, v] of Object.entries(protocol.extra ?? {})) entries.push([k, v]);
  return entries;
}

/** The protocol block as HTML, with a warning when n is small (FID is biased upward at small n, spec §8.5.6). */
export function protocolHtml(protocol: ReportProtocol): string {
  const table = htmlTable(['item', 'value'], protocolEntries(protocol).map(([k, v]) => [escapeHtml(k), escapeHtml(v)]), 'protocol');
  const warnings: string[] = [];
  if (protocol.frechet && protocol.nImages < 50_000) {
    warnings.push(`Fréchet distances from ${protocol.nImages} images are biased upward and not comparable with 50k-image numbers.`);
  }
  if (protocol.frechet?.space.kind === 'named') {
    warnings.push('The Fréchet distance is NOT FID: it uses another feature network and must not be compared with published rFID/FID.');
  }
  return table + warnings.map((w) => `\n<p class="warning">${escapeHtml(w)}</p>`).join('');
}
