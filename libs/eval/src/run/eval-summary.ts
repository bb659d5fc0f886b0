import { frechetLabel, type FeatureSpace } from '../fid/feature-space.js';
import { type CodebookSummary } from '../metrics/codebook-usage.js';
import { type MetricColumn } from '../sinks/metric-columns.js';
import { type ColumnSummary } from '../sinks/metrics-sink.js';
import { type SummaryValue } from '../sinks/summary-file.js';
import { type FeatureMoments, type GaussianStats } from '../stats/feature-moments.js';
import { frechetDistance, type FrechetResult } from '../stats/frechet-distance.js';
import { readStatsNpz } from '../stats/stats-file.js';
import type { EvalState } from './eval-partial.js';

/** The reference side of the Fréchet distance: this run's reference crops, or a published statistics file. */
export type ReferenceSide = { readonly kind: 'moments' } | { readonly kind: 'file'; readonly path: string };

/** A Fréchet distance with its honest label and sample sizes. */
export interface FrechetSummary {
  /** `rFID[torch-fidelity]`, or `FD[<network>]` for any other feature network. */
  readonly label: string;
  readonly space: FeatureSpace;
  readonly result: FrechetResult;
  readonly nReconstructions: number;
  /** null when the reference statistics file does not record n. */
  readonly nReference: number | null;
  readonly reference: string;
  readonly notes: readonly string[];
}

/** Everything printed, written to summary.arrow/summary.json and shown in the report. */
export interface EvalSummary {
  readonly nImages: number;
  readonly columns: readonly MetricColumn[];
  readonly metrics: Readonly<Record<string, ColumnSummary>>;
  readonly frechet: FrechetSummary | null;
  /** Why the Fréchet distance could not be computed (its moments are still written), or null. */
  readonly frechetError: string | null;
  readonly codebook: CodebookSummary;
}

const sameSpace = (a: FeatureSpace, b: FeatureSpace): boolean =>
  a.kind === 'named' ? b.kind === 'named' && a.name === b.name : b.kind === 'fid-inception';

/**
 * Reads `--reference-stats` and checks it was made in `space` (unlabelled published files are accepted only for
 * FID-Inception, as an assumption stated in the notes). Throws naming both labels on a mismatch.
 */
export async function loadReferenceStats(space: FeatureSpace, file: string): Promise<{ stats: GaussianStats; notes: string[] }> {
  const stats = await readStatsNpz(file);
  const notes: string[] = [];
  if (stats.featureSpace === undefined) {
    if (space.kind !== 'fid-inception') {
      throw new Error(`eval: --reference-stats ${file} is unlabelled (published FID-Inception statistics) but this run measures ${frechetLabel(space, 'reconstruction')}; the distance would mean nothing`);
    }
    notes.push(`${file} is unlabelled: assumed to be FID-Inception pool3 statistics`);
  } else if (!sameSpace(space, stats.featureSpace)) {
    throw new Error(`eval: --reference-stats ${file} holds ${frechetLabel(stats.featureSpace, 'reconstruction')} statistics, this run measures ${frechetLabel(space, 'reconstruction')}`);
  } else if (space.kind === 'fid-inception' && stats.featureSpace.kind === 'fid-inception' && stats.featureSpace.variant !== space.variant) {
    notes.push(`input variants differ (${space.variant} here, ${stats.featureSpace.variant} in ${file})`);
  }
  return { stats, notes };
}

async function referenceStats(space: FeatureSpace, reference: ReferenceSide, moments: FeatureMoments | null): Promise<{ stats: GaussianStats; name: string; notes: string[] }> {
  if (reference.kind === 'moments') {
    if (!moments) throw new Error('eval: no reference statistics were accumulated');
    return { stats: moments.toGaussian(), name: 'reference crops of this run', notes: [] };
  }
  return { ...(await loadReferenceStats(space, reference.path)), name: reference.path };
}

/** Computes the run's summary from its metric column summaries and mergeable state. */
export async function computeEvalSummary(input: {
  readonly nImages: number;
  readonly columns: readonly MetricColumn[];
  readonly metrics: Readonly<Record<string, ColumnSummary>>;
  readonly state: EvalState;
  readonly space: FeatureSpace | null;
  readonly reference: ReferenceSide;
}): Promise<EvalSummary> {
  let frechet: FrechetSummary | null = null;
  let frechetError: string | null = null;
  const recon = input.state.reconstructionMoments;
  if (input.space && recon && recon.count < 2) frechetError = `needs at least 2 images, got ${recon.count}`;
  if (input.space && recon && recon.count >= 2) {
    const ref = await referenceStats(input.space, input.reference, input.state.referenceMoments);
    try {
      frechet = {
        label: frechetLabel(input.space, 'reconstruction'),
        space: input.space,
        result: frechetDistance(recon.toGaussian(), ref.stats),
        nReconstructions: recon.count,
        nReference: ref.stats.count ?? null,
        reference: ref.name,
        notes: ref.notes,
      };
    } catch (error) {
      // e.g. the eigen solver not converging: keep every other number and the moments (re-score with `vqrae fid`).
      frechetError = `${frechetLabel(input.space, 'reconstruction')} failed: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return { nImages: input.nImages, columns: input.columns, metrics: input.metrics, frechet, frechetError, codebook: input.state.codebook.summary() };
}

/** One-row summary columns (summary.arrow): means, the Fréchet distance (label in the field metadata), codes. */
export function evalSummaryValues(summary: EvalSummary): SummaryValue[] {
  const values: SummaryValue[] = [{ name: 'n_images', value: summary.nImages, unit: 'images' }];
  for (const column of summary.columns) {
    const s = summary.metrics[column.name];
    values.push({ name: `${column.name}_mean`, value: s?.mean ?? Number.NaN, unit: column.unit ?? '', label: `mean over ${s?.count ?? 0} images; ${column.label ?? ''}` });
  }
  if (summary.frechet) {
    const f = summary.frechet;
    values.push(
      { name: 'frechet_distance', value: f.result.distance, unit: '1', label: `${f.label} vs ${f.reference}` },
      { name: 'frechet_n_reconstructions', value: f.nReconstructions, unit: 'images' },
      { name: 'frechet_n_reference', value: f.nReference ?? Number.NaN, unit: 'images' },
    );
  }
  const c = summary.codebook;
  values.push(
    { name: 'codebook_utilization', value: c.utilization, unit: '1', label: `used codes / k (k = ${c.codebookSize})` },
    { name: 'codebook_perplexity', value: c.perplexity, unit: 'codes', label: 'exp(entropy of code usage)' },
    { name: 'codebook_used_codes', value: c.usedCodes, unit: 'codes' },
    { name: 'codebook_dead_codes', value: c.deadCodes, unit: 'codes' },
    { name: 'tokens', value: c.tokens, unit: 'tokens' },
  );
  return values;
}

const W = 36;

/** The printed summary table (one metric per line). */
export function formatEvalSummary(summary: EvalSummary, title: string): string {
  const lines = [title, `  ${'images'.padEnd(W)} ${summary.nImages}`];
  for (const column of summary.columns) {
    const s = summary.metrics[column.name];
    const digits = column.name === 'psnr' ? 3 : 5;
    const name = column.name === 'ssim' ? `ssim (${(column.label ?? '').split(':')[0]})` : column.name;
    lines.push(`  ${name.padEnd(W)} ${(s?.mean ?? Number.NaN).toFixed(digits).padStart(10)}${column.unit === 'dB' ? ' dB' : ''}`);
  }
  if (summary.frechet) {
    const f = summary.frechet;
    const n = `n = ${f.nReconstructions} vs ${f.nReference ?? 'n unknown'}`;
    lines.push(`  ${f.label.padEnd(W)} ${f.result.distance.toFixed(4).padStart(10)}   (${n}; reference: ${f.reference})`);
    if (f.space.kind === 'named') lines.push('    note: NOT FID (another feature network); never compare with published rFID');
    if (f.nReconstructions < 50_000) lines.push('    note: biased upward at small n; compare only numbers with the same n (model-spec 8.5.6)');
    for (const note of f.notes) lines.push(`    note: ${note}`);
  } else {
    lines.push(`  ${'Fréchet distance'.padEnd(W)} ${summary.frechetError ? `FAILED: ${summary.frechetError}` : 'not computed'}`);
  }
  const c = summary.codebook;
  lines.push(`  ${'codebook utilisation'.padEnd(W)} ${(100 * c.utilization).toFixed(2).padStart(10)} %   (${c.usedCodes}/${c.codebookSize} used, ${c.deadCodes} dead)`);
  lines.push(`  ${'codebook perplexity'.padEnd(W)} ${c.perplexity.toFixed(2).padStart(10)}     (${c.tokens} tokens)`);
  return lines.join('\n');
}

/** summary.json fields of a run (merged into the command's summary.json). */
export function evalSummaryJson(summary: EvalSummary): Record<string, unknown> {
  return {
    images: summary.nImages,
    metrics: summary.metrics,
    frechet: summary.frechet
      ? {
          label: summary.frechet.label,
          distance: summary.frechet.result.distance,
          parts: summary.frechet.result,
          space: summary.frechet.space,
          nReconstructions: summary.frechet.nReconstructions,
          nReference: summary.frechet.nReference,
          reference: summary.frechet.reference,
          notes: summary.frechet.notes,
        }
      : null,
    frechetError: summary.frechetError,
    codebook: summary.codebook,
  };
}
