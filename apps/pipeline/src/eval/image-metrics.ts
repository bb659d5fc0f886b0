import {
  arrowMetricsSink,
  describeSsimVariant,
  psnr,
  SSIM_VARIANT_NAMES,
  SsimScorer,
  ssimVariantByName,
  uint8Image,
  type MetricColumn,
  type MetricRow,
  type MetricsFileResult,
  type Provenance,
  type SsimVariant,
} from '@vqrae/eval';
import type { Sink } from '@vqrae/graph';
import type { EvalBatch } from './eval-batch.js';

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

/** PSNR and every SSIM variant of one reference/reconstruction pair (uint8 [height, width, 3]; square by default). */
export function scorePair(scorer: SsimScorer, ssim: SsimSelection, reference: Uint8Array, reconstruction: Uint8Array, height: number, width = height): Record<string, number> {
  const a = uint8Image(reference, height, width, 3);
  const b = uint8Image(reconstruction, height, width, 3);
  const scores = scorer.score(a, b);
  const values: Record<string, number> = { psnr: psnr(a, b), ssim: scores[ssim.names[0]!]! };
  for (const n of ssim.names.slice(1)) values[ssimColumnName(n)] = scores[n]!;
  return values;
}

/**
 * Sink: scores every image of a batch (PSNR + all SSIM variants, host float64) and appends the rows to
 * `metrics.arrow` through the eval library's Arrow sink (provenance in the schema metadata).
 */
export function imageMetricsSink(options: {
  readonly path: string;
  readonly ssim: SsimSelection;
  readonly provenance: Provenance;
  readonly metadata: Readonly<Record<string, string>>;
}): Sink<EvalBatch, MetricsFileResult> {
  const columns = imageMetricColumns(options.ssim);
  const inner = arrowMetricsSink({ path: options.path, columns, provenance: options.provenance, metadata: options.metadata, name: 'metrics' });
  const scorer = new SsimScorer(options.ssim.variants);
  return {
    name: 'metrics',
    describe: () => `psnr+ssim(${options.ssim.names.join(', ')}) → metrics.arrow`,
    write(batch, ctx) {
      const rows: MetricRow[] = batch.metas.map((meta, i) => ({
        meta,
        values: scorePair(scorer, options.ssim, batch.references[i]!, batch.decoded[i]!, batch.outputSize),
      }));
      return inner.write(rows, ctx);
    },
    finish: async (ctx) => (await inner.finish!(ctx)) as MetricsFileResult,
    abort: async (error, ctx) => {
      await inner.abort?.(error, ctx);
    },
  };
}
