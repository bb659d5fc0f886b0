import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { uint8Image } from '../metrics/host-image.js';
import { writeEvalReport } from '../report/eval-report.js';
import { type PreviewPair } from '../report/image-grid.js';
import { type ReportMetric } from '../report/metric-table.js';
import { type PreviewIndex } from '../sinks/preview-sink.js';
import { type Provenance } from '../sinks/provenance.js';
import { writeSummaryArrow } from '../sinks/summary-file.js';
import { writeStatsNpz } from '../stats/stats-file.js';
import type { EvalIdentity, EvalState } from './eval-partial.js';
import { evalSummaryValues, type EvalSummary } from './eval-summary.js';

/** A preview index and the folder its PNG paths are relative to. */
export interface PreviewSource {
  readonly dir: string;
  readonly index: PreviewIndex;
}

async function readRgb(file: string): Promise<ReturnType<typeof uint8Image>> {
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return uint8Image(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.height, info.width, 3);
}

/** Reads up to `max` preview pairs back from their PNG files. */
export async function loadPreviews(sources: readonly PreviewSource[], max: number): Promise<PreviewPair[]> {
  const pairs: PreviewPair[] = [];
  for (const { dir, index } of sources) {
    for (const entry of index.previews) {
      if (pairs.length >= max) return pairs;
      const [original, reconstruction] = await Promise.all([readRgb(path.join(dir, entry.original)), readRgb(path.join(dir, entry.reconstruction))]);
      pairs.push({ key: entry.key, original, reconstruction });
    }
  }
  return pairs;
}

/** The report's metric table rows. */
function reportMetrics(summary: EvalSummary): ReportMetric[] {
  const metrics: ReportMetric[] = summary.columns.map((c) => ({
    name: c.name === 'psnr' ? 'PSNR' : c.name,
    value: summary.metrics[c.name]?.mean ?? Number.NaN,
    unit: c.unit ?? '',
    digits: c.name === 'psnr' ? 3 : 4,
    note: c.label ?? '',
  }));
  if (summary.frechet) {
    const f = summary.frechet;
    metrics.push({ name: f.label, value: f.result.distance, unit: '', digits: 4, note: `n = ${f.nReconstructions} reconstructions vs ${f.nReference ?? '?'} (${f.reference})` });
  }
  const c = summary.codebook;
  metrics.push(
    { name: 'codebook utilisation', value: 100 * c.utilization, unit: '%', digits: 2, note: `${c.usedCodes}/${c.codebookSize} codes used, ${c.deadCodes} dead` },
    { name: 'codebook perplexity', value: c.perplexity, unit: 'codes', digits: 2, note: `${c.tokens} tokens` },
  );
  return metrics;
}

/**
 * Writes the final outputs of an evaluation (single process or merged ranks) into `dir`: `summary.arrow`,
 * `reconstruction-stats.npz` / `reference-stats.npz` (mu, sigma, n, feature_space; pytorch-fid readable) and
 * `report.html`. Returns the written file names.
 */
export async function writeEvalOutputs(dir: string, input: {
  readonly title: string;
  readonly summary: EvalSummary;
  readonly state: EvalState;
  readonly identity: EvalIdentity;
  readonly provenance: Provenance;
  readonly previews: readonly PreviewSource[];
  readonly maxPreviews: number;
}): Promise<string[]> {
  const { summary, state, identity } = input;
  const written: string[] = [];
  await writeSummaryArrow(path.join(dir, 'summary.arrow'), input.title, evalSummaryValues(summary), input.provenance);
  written.push('summary.arrow');
  const space = identity.featureSpace;
  for (const [name, moments] of [['reconstruction-stats.npz', state.reconstructionMoments], ['reference-stats.npz', state.referenceMoments]] as const) {
    if (!space || !moments || moments.count < 2) continue;
    await writeStatsNpz(path.join(dir, name), moments.toGaussian(), space, { decodeMode: identity.decodeMode ?? 'exact' });
    written.push(name);
  }
  const previews = await loadPreviews(input.previews, input.maxPreviews);
  await fs.mkdir(dir, { recursive: true });
  await writeEvalReport(path.join(dir, 'report.html'), {
    title: input.title,
    metrics: reportMetrics(summary),
    protocol: {
      nImages: summary.nImages,
      ...(summary.frechet ? { frechet: { space: summary.frechet.space, use: 'reconstruction' as const } } : {}),
      ssimVariant: summary.columns.find((c) => c.name === 'ssim')?.label ?? '',
      uint8Rounding: 'round-half-up',
      ema: identity.weights === 'ema',
      extra: {
        checkpoint: `${identity.checkpoint} (sha256 ${identity.checkpointSha256})`,
        preset: identity.preset,
        'checkpoint weights': identity.weights,
        'image protocol': `${identity.crop} crop to ${identity.inputSize} (model input), reference at ${identity.outputSize}, decode ${identity.decodeMode ?? 'exact'}`,
        'codebook k × tokens/image': `${identity.codebookSize} × ${identity.tokensPerImage}`,
        data: identity.data,
      },
    },
    previews,
    codeUsage: state.codebook,
    provenance: input.provenance,
    maxPreviews: input.maxPreviews,
  });
  written.push('report.html');
  return written;
}
