import fs from 'node:fs';
import { consoleReporter, DEFAULT_IMAGE_MEMBERS, expandShardSpec, listImageFiles, loadImage, readShard, type RemoteShardOptions } from '@vqrae/data';
import {
  arrowMetricsSink,
  imageMetricColumns,
  makeProvenance,
  scorePair,
  SSIM_VARIANT_NAMES,
  SSIM_VARIANTS,
  SsimScorer,
  ssimSelection,
  type MetricColumn,
  type MetricRow,
  type MetricsFileResult,
} from '@vqrae/eval';
import { asyncMapStage, fromAsyncIterable, Graph, type SampleMeta } from '@vqrae/graph';
import { defineCommand, intOption, stringOption, UsageError } from '../cli/index.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';

/** One encoded image of an image set, with the metadata that names it. */
export interface EncodedImage {
  readonly meta: SampleMeta;
  readonly bytes: Uint8Array;
}

/**
 * The images of `<shards|folder>`: a directory is walked for image files (key = relative path without extension);
 * anything else is a shard spec (`val-{000..009}.tar`, `@list.txt`) whose samples give member `field` (default: the
 * first image member present); `remote`: retries and cache of http(s) shards.
 */
export async function* imageSet(spec: string, field: string | undefined, signal?: AbortSignal, remote?: RemoteShardOptions): AsyncGenerator<EncodedImage> {
  if (fs.existsSync(spec) && fs.statSync(spec).isDirectory()) {
    const files = await listImageFiles(spec);
    if (files.length === 0) throw new UsageError(`no image files under '${spec}'`);
    for (const [index, file] of files.entries()) {
      if (signal?.aborted) return;
      yield { meta: { key: file.key, shard: spec, index }, bytes: fs.readFileSync(file.path) };
    }
    return;
  }
  const members = field !== undefined ? [field.toLowerCase()] : DEFAULT_IMAGE_MEMBERS;
  for (const shard of await expandShardSpec(spec)) {
    for await (const sample of readShard(shard, { reporter: consoleReporter(), ...(signal ? { signal } : {}), ...(remote ? { remote } : {}) })) {
      const member = members.find((m) => sample.files.has(m));
      if (member === undefined) {
        throw new Error(`sample '${sample.meta.key}' in ${shard} has no ${field ? `'${field}'` : 'image'} member (has ${[...sample.files.keys()].join(', ')})`);
      }
      yield { meta: sample.meta, bytes: sample.files.get(member)! };
    }
  }
}

/** A reference and a candidate image with the same key. */
export interface MatchedPair {
  readonly meta: SampleMeta; // the candidate's key/shard/index
  readonly reference: Uint8Array;
  readonly candidate: Uint8Array;
}

/** Keys left without a partner after `matchByKey` finished. */
export interface MatchReport {
  unmatchedReference: string[];
  unmatchedCandidate: string[];
}

/**
 * Joins two image streams by key, pulling both in lockstep and holding unmatched encoded images until their partner
 * arrives: memory stays small when both sets come in the same order (the usual case) and grows with disorder.
 */
export async function* matchByKey(
  reference: AsyncIterator<EncodedImage>,
  candidate: AsyncIterator<EncodedImage>,
  report: MatchReport,
): AsyncGenerator<MatchedPair> {
  const waitingRef = new Map<string, EncodedImage>();
  const waitingCand = new Map<string, EncodedImage>();
  let refDone = false;
  let candDone = false;
  while (!refDone || !candDone) {
    const [r, c] = await Promise.all([refDone ? undefined : reference.next(), candDone ? undefined : candidate.next()]);
    if (r?.done) refDone = true;
    if (c?.done) candDone = true;
    if (r && !r.done) {
      const partner = waitingCand.get(r.value.meta.key);
      if (partner) {
        waitingCand.delete(r.value.meta.key);
        yield { meta: partner.meta, reference: r.value.bytes, candidate: partner.bytes };
      } else if (waitingRef.has(r.value.meta.key)) throw new Error(`reference key '${r.value.meta.key}' appears twice (${r.value.meta.shard})`);
      else waitingRef.set(r.value.meta.key, r.value);
    }
    if (c && !c.done) {
      const partner = waitingRef.get(c.value.meta.key);
      if (partner) {
        waitingRef.delete(c.value.meta.key);
        yield { meta: c.value.meta, reference: partner.bytes, candidate: c.value.bytes };
      } else if (waitingCand.has(c.value.meta.key)) throw new Error(`candidate key '${c.value.meta.key}' appears twice (${c.value.meta.shard})`);
      else waitingCand.set(c.value.meta.key, c.value);
    }
  }
  report.unmatchedReference.push(...waitingRef.keys());
  report.unmatchedCandidate.push(...waitingCand.keys());
}

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
    const scorer = new SsimScorer(selection.variants);
    const columns = imageMetricColumns(selection);
    const report: MatchReport = { unmatchedReference: [], unmatchedCandidate: [] };
    const remote = remoteShardOptions(ctx.options, ctx.log);
    const source = fromAsyncIterable('matched-pairs', (signal) =>
      matchByKey(imageSet(reference, ctx.options.referenceField, signal, remote), imageSet(candidate, ctx.options.candidateField, signal, remote), report),
      { describe: `match-by-key(${reference} × ${candidate})` });
    const score = asyncMapStage<MatchedPair, MetricRow>('psnr-ssim', async (pair) => {
      const [a, b] = await Promise.all([loadImage(pair.reference, {}, pair.meta.key), loadImage(pair.candidate, {}, pair.meta.key)]);
      if (a.width !== b.width || a.height !== b.height) {
        throw new Error(`reference is ${a.width}×${a.height} but candidate is ${b.width}×${b.height}`);
      }
      return { meta: pair.meta, values: scorePair(scorer, selection, a.data, b.data, a.height, a.width) };
    }, { concurrency: ctx.options.concurrency });
    const sink = arrowMetricsSink({
      path: ctx.runFolder.path('metrics.arrow'),
      columns,
      provenance: makeProvenance({ tool: 'vqrae metrics', command: process.argv.slice(2), config: { reference, candidate, ssim: names } }),
      metadata: { 'vqrae.ssim_variants': JSON.stringify(Object.fromEntries(names.map((n) => [n, SSIM_VARIANTS[n as keyof typeof SSIM_VARIANTS]]))) },
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
