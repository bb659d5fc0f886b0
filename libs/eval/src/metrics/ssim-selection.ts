/** Which SSIM variants a run scores, their Arrow columns, and the PSNR + SSIM scores of one image pair. */
import type { MetricColumn } from '../sinks/metric-columns.js';
import { uint8Image } from './host-image.js';
import { psnr } from './psnr.js';
import { SsimScorer } from './ssim/ssim.js';
import { describeSsimVariant, SSIM_VARIANT_NAMES, SSIM_VARIANTS, ssimVariantByName, type SsimVariant } from './ssim/ssim-variants.js';

/** The SSIM variants of a run: the first fills the `ssim` column, the others get `ssim_<name>` columns. */
export interface SsimSelection {
  readonly names: readonly string[];
  readonly variants: Readonly<Record<string, SsimVariant>>;
}

/**
 * Resolves `--ssim <default>` and `--ssim-extra all|none|<a,b>` into [default, extra variants…] (`all` = every other
 * named variant). Unknown names throw, listing the valid ones.
 */
export function ssimSelection(defaultName: string, extra: string = 'all'): SsimSelection {
  const requested = extra === 'all' ? SSIM_VARIANT_NAMES : extra === 'none' ? [] : extra.split(',').map((n) => n.trim()).filter((n) => n.length > 0);
  const names = [defaultName, ...requested.filter((n) => n !== defaultName)];
  return { names, variants: Object.fromEntries(names.map((n) => [n, ssimVariantByName(n)])) };
}

/** Arrow column of an extra SSIM variant (`skimage-dr2` → `ssim_skimage_dr2`). */
export const ssimColumnName = (variant: string): string => `ssim_${variant.replaceAll('-', '_')}`;

/** Per-image metric columns: `psnr`, `ssim` (default variant), then one column per other variant. */
export function imageMetricColumns(ssim: SsimSelection): MetricColumn[] {
  const [first, ...rest] = ssim.names;
  return [
    { name: 'psnr', unit: 'dB', label: 'per-image PSNR on uint8 images, MSE floor 1e-10 (model-spec 8.2)' },
    { name: 'ssim', unit: '1', label: `${first}: ${describeSsimVariant(ssim.variants[first!]!)}` },
    ...rest.map((n) => ({ name: ssimColumnName(n), unit: '1', label: `${n}: ${describeSsimVariant(ssim.variants[n]!)}` })),
  ];
}

/** The `vqrae.ssim_variants` schema metadata of a metrics file: each variant name with its full recipe, as JSON. */
export function ssimVariantsMetadata(names: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(names.map((n) => [n, SSIM_VARIANTS[n as keyof typeof SSIM_VARIANTS]])));
}

/** PSNR and every SSIM variant of one reference/reconstruction pair (uint8 [height, width, 3]; square by default). */
export function scorePair(scorer: SsimScorer, ssim: SsimSelection, reference: Uint8Array, reconstruction: Uint8Array, height: number, width = height): Record<string, number> {
  const a = uint8Image(reference, height, width, 3);
  const b = uint8Image(reconstruction, height, width, 3);
  const scores = scorer.score(a, b);
  const values: Record<string, number> = { psnr: psnr(a, b), ssim: scores[ssim.names[0]!]! };
  for (const n of ssim.names.slice(1)) values[ssimColumnName(n)] = scores[n]!;
  return values;
}
