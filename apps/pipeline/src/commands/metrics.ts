import { imageSet, matchByKey, type MatchReport } from '@vqrae/data';
import {
  arrowMetricsSink,
  imageMetricColumns,
  makeProvenance,
  pairMetricsStage,
  SSIM_VARIANT_NAMES,
  ssimSelection,
  ssimVariantsMetadata,
  type MetricColumn,
  type MetricsFileResult,
} from '@vqrae/eval';
import { fromAsyncIterable, Graph } from '@vqrae/graph';
import { defineCommand, intOption, stringOption, UsageError } from '../cli/index.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { DECODE_MODE_EXACT_DEFAULT, decodeModeOf } from './decode-mode-option.js';

export const metricsCommand = defineCommand({
  name: 'metrics',
  description: 'PSNR and SSIM (every named variant) between two image sets matched by key; writes metrics.arrow',
  options: {
    reference: stringOption({ description: 'reference images: shard spec or folder', placeholder: '<shards|folder>' }),
    candidate: stringOption({ description: 'candidate images (e.g. reconstructions): shard spec or folder', placeholder: '<shards|folder>' }),
    referenceField: stringOption({ description: 'shard member holding the reference image (default: first image member)', placeholder: '<ext>' }),
    candidateField: stringOption({ description: 'shard member holding the candidate image (default: first image member)', placeholder: '<ext>' }),
    ssim: stringOption({ description: `SSIM variants, comma-separated; the first fills the 'ssim' column (${SSIM_VARIANT_NAMES.join(', ')})`, default: SSIM_VARIANT_NAMES.join(','), placeholder: '<list>' }),
    concurrency: intOption({ description: 'image pairs decoded and scored at once', default: 2, min: 1 }),
    decodeMode: { ...DECODE_MODE_EXACT_DEFAULT, description: 'image decoding (recorded): images are scored at full size, nothing is resized, so fast decodes exactly as exact (default exact)' },
    ...REMOTE_SHARD_OPTIONS,
  },
  examples: [
    "vqrae metrics --reference 'val-{000..009}.tar' --candidate 'recon-{000..009}.tar' --out runs/metrics-val",
    "vqrae metrics --reference pairs.tar --reference-field ref.png --candidate pairs.tar --candidate-field recon.png",
    'vqrae metrics --reference crops/ --candidate recon/ --ssim skimage-dr2,torchmetrics',
  ],
  async run(ctx) {
    const { reference, candidate } = ctx.options;
    if (reference === undefined || candidate === undefined) throw new UsageError('metrics: --reference and --candidate are required');
    const names = ctx.options.ssim.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    if (names.length === 0) throw new UsageError('metrics: --ssim names no variant');
    const selection = ssimSelection(names[0]!, names.length > 1 ? names.slice(1).join(',') : 'none');
    const columns = imageMetricColumns(selection);
    const report: MatchReport = { unmatchedReference: [], unmatchedCandidate: [] };
    const remote = remoteShardOptions(ctx.options, ctx.log);
    const decodeMode = decodeModeOf(ctx.options.decodeMode);
    if (decodeMode === 'fast') ctx.log.info('metrics: --decode-mode fast: images are compared at full size, so every image is decoded in full (same pixels as exact)');
    const source = fromAsyncIterable('matched-pairs', (signal) =>
      matchByKey(imageSet(reference, ctx.options.referenceField, signal, remote), imageSet(candidate, ctx.options.candidateField, signal, remote), report),
      { describe: `match-by-key(${reference} × ${candidate})` });
    const score = pairMetricsStage(selection, { concurrency: ctx.options.concurrency, decodeMode });
    const sink = arrowMetricsSink({
      path: ctx.runFolder.path('metrics.arrow'),
      columns,
      provenance: makeProvenance({ tool: 'vqrae metrics', command: process.argv.slice(2), config: { reference, candidate, ssim: names, decodeMode } }),
      metadata: { 'vqrae.decode_mode': decodeMode, 'vqrae.ssim_variants': ssimVariantsMetadata(names) },
    });
    const outcome = await ctx.runGraph('metrics', Graph.from(source).pipe(score).to(sink));
    const result = outcome.summary.sinks[0]?.result as MetricsFileResult | undefined;
    if (result) printMetricSummary(result, columns);
    if (report.unmatchedReference.length + report.unmatchedCandidate.length > 0) {
      ctx.log.warn(`unmatched keys: ${report.unmatchedReference.length} reference only (e.g. ${report.unmatchedReference.slice(0, 3).join(', ') || '-'}), ` +
        `${report.unmatchedCandidate.length} candidate only (e.g. ${report.unmatchedCandidate.slice(0, 3).join(', ') || '-'})`);
    }
    const exitCode = result && result.rows === 0 ? 1 : undefined;
    return {
      ...(exitCode !== undefined ? { exitCode } : {}),
      summary: { metrics: result?.summary ?? {}, images: result?.rows ?? 0, unmatchedReference: report.unmatchedReference.length, unmatchedCandidate: report.unmatchedCandidate.length },
    };
  },
});

function printMetricSummary(result: MetricsFileResult, columns: readonly MetricColumn[]): void {
  console.log(`\n${result.rows} image pairs → ${result.path}`);
  for (const column of columns) {
    const s = result.summary[column.name];
    if (!s) continue;
    const digits = column.name === 'psnr' ? 3 : 5;
    console.log(`  ${column.name.padEnd(26)} mean ${s.mean.toFixed(digits).padStart(9)}  min ${s.min.toFixed(digits)}  max ${s.max.toFixed(digits)}   ${column.label ?? ''}`);
  }
}
