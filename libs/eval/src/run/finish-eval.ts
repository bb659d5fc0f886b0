import type { FeatureStatsResult } from '../fid/feature-stats-sink.js';
import { CodebookUsage } from '../metrics/codebook-usage.js';
import { imageMetricColumns, ssimSelection } from '../metrics/ssim-selection.js';
import type { MetricsFileResult } from '../sinks/metrics-sink.js';
import type { PreviewIndex } from '../sinks/preview-sink.js';
import type { Provenance } from '../sinks/provenance.js';
import type { Logger, RunSummary } from '@vqrae/graph';
import { writeEvalOutputs } from './eval-outputs.js';
import { writeEvalPartial, type EvalIdentity, type EvalState } from './eval-partial.js';
import { computeEvalSummary, evalSummaryJson, formatEvalSummary } from './eval-summary.js';
import { decodeModeTitleSuffix } from './decode-mode-label.js';

/** The sink results of one eval graph run. */
export interface EvalResults {
  readonly metrics: MetricsFileResult;
  readonly reconstruction: FeatureStatsResult | null;
  readonly reference: FeatureStatsResult | null;
  readonly codebook: CodebookUsage;
  readonly previews: PreviewIndex | null;
}

/** Picks the sink results out of a finished run's summary (by sink name). */
export function collectEvalResults(summary: RunSummary, codebookSize: number): EvalResults {
  const result = <T>(name: string): T | null => (summary.sinks.find((s) => s.name === name)?.result as T | undefined) ?? null;
  const metrics = result<MetricsFileResult>('metrics');
  if (!metrics) throw new Error('eval: the metrics sink returned nothing');
  return {
    metrics,
    reconstruction: result<FeatureStatsResult>('fd-reconstructions'),
    reference: result<FeatureStatsResult>('fd-references'),
    codebook: result<CodebookUsage>('codebook') ?? new CodebookUsage(codebookSize),
    previews: result<PreviewIndex>('previews'),
  };
}

/** Where the end of an eval run writes: its folder, a logger for warnings, and the printer of result lines. */
export interface EvalRunContext {
  readonly dir: string;
  readonly log: Logger;
  print(line: string): void;
}

/** This process's place in a (possibly) multi-rank evaluation. */
export interface EvalRank {
  readonly rank: number;
  readonly worldSize: number;
}

/** The exit code (1 when no image was evaluated) and the `eval` fields of the run's summary.json. */
export interface EvalRunResult {
  readonly exitCode: number;
  readonly summary: { readonly eval: Record<string, unknown> };
}

/**
 * After the graph: writes the mergeable partial (moments, code counts, eval-partial.json). A single process then
 * computes the Fréchet distance and writes summary.arrow, the statistics .npz files and report.html; a rank of a
 * larger job prints its partial numbers and leaves the distance to `vqrae merge-eval`.
 */
export async function finishEvalRun(input: {
  readonly ctx: EvalRunContext;
  readonly rank: EvalRank;
  readonly shards: readonly string[];
  readonly identity: EvalIdentity;
  readonly provenance: Provenance;
  readonly results: EvalResults;
  readonly previews: number;
}): Promise<EvalRunResult> {
  const { ctx, rank, identity, results } = input;
  const dir = ctx.dir;
  const state: EvalState = {
    codebook: results.codebook,
    reconstructionMoments: results.reconstruction?.moments ?? null,
    referenceMoments: results.reference?.moments ?? null,
  };
  const nImages = results.metrics.rows;
  await writeEvalPartial(dir, { rank: rank.rank, worldSize: rank.worldSize, shards: input.shards, identity, nImages, previews: input.previews > 0 }, state);
  const columns = imageMetricColumns(ssimSelection(identity.ssim[0]!, identity.ssim.slice(1).join(',') || 'none'));
  const final = rank.worldSize === 1;
  const summary = await computeEvalSummary({
    nImages,
    columns,
    metrics: results.metrics.summary,
    state,
    space: final ? identity.featureSpace : null,
    reference: identity.referenceStats ? { kind: 'file', path: identity.referenceStats } : { kind: 'moments' },
  });
  if (summary.frechetError) ctx.log.warn(`eval: ${summary.frechetError}`);
  if (final) {
    const title = `vqrae eval: ${identity.preset} on ${identity.data}${decodeModeTitleSuffix(identity.decodeMode ?? 'exact')}`;
    const previews = results.previews ? [{ dir, index: results.previews }] : [];
    await writeEvalOutputs(dir, { title, summary, state, identity, provenance: input.provenance, previews, maxPreviews: input.previews });
    ctx.print(formatEvalSummary(summary, `\n${title} (${nImages} images)`));
    ctx.print(`eval: metrics.arrow, summary.arrow, report.html in ${dir}`);
  } else {
    ctx.print(formatEvalSummary(summary, `\nvqrae eval: partial results of rank ${rank.rank} of ${rank.worldSize} (${nImages} images)${decodeModeTitleSuffix(identity.decodeMode ?? 'exact')}`));
    ctx.print(`eval: rank ${rank.rank} of ${rank.worldSize} done; after every rank: vqrae merge-eval <rank folders…> --out <dir>`);
  }
  return { exitCode: nImages === 0 ? 1 : 0, summary: { eval: { final, rank: rank.rank, worldSize: rank.worldSize, decodeMode: identity.decodeMode ?? 'exact', ...evalSummaryJson(summary) } } };
}
