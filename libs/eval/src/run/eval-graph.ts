import { cropWithReference, decodeImages, type DecodeMode, type ReferencedSample, type ShardSample } from '@vqrae/data';
import type { ErrorPolicy, GraphBuilder, Sink } from '@vqrae/graph';
import type { FeatureExtractor } from '../fid/feature-space.js';
import { ssimVariantsMetadata, type SsimSelection } from '../metrics/ssim-selection.js';
import { codebookUsageSink } from '../sinks/codebook-usage-sink.js';
import { frechetStatsSink } from '../sinks/frechet-stats-sink.js';
import { imageMetricsSink } from '../sinks/image-metrics-sink.js';
import { previewSink } from '../sinks/preview-sink.js';
import type { Provenance } from '../sinks/provenance.js';
import type { CodeRecord, ReconstructionRecord } from '../sinks/reconstruction-record.js';
import type { EvalCrop, EvalIdentity } from './eval-partial.js';
import { evalFastReferenceStage } from './fast-reference-stage.js';

/** The image protocol of a reconstruction evaluation (model-spec §8.1). */
export interface EvalImageProtocol {
  readonly crop: EvalCrop;
  readonly decodeMode: DecodeMode;
  /** Model input side (the crop fed to the tokenizer). */
  readonly inputSize: number;
  /** Decoder output side (the reference the reconstructions are scored against). */
  readonly outputSize: number;
  readonly onError: ErrorPolicy;
}

/**
 * Appends decode → crop to `source`: each sample cropped at the model input size, with its scoring reference at
 * the output size. `exact`: full decode, then `cropWithReference`; `fast`: the crop happens inside the decoder
 * (shrink-on-load) and the reference is decoded again, fast, at the output size (`evalFastReferenceStage`).
 */
export function evalReferenceCrops(source: GraphBuilder<ShardSample>, p: EvalImageProtocol): GraphBuilder<ReferencedSample> {
  if (p.decodeMode === 'fast') {
    return source
      .pipe(decodeImages({ onError: p.onError, crop: { protocol: p.crop, size: p.inputSize }, decodeMode: 'fast' }))
      .pipe(evalFastReferenceStage(p.crop, p.inputSize, p.outputSize, p.onError));
  }
  return source
    .pipe(decodeImages({ onError: p.onError }))
    .pipe(cropWithReference({ protocol: p.crop, inputSize: p.inputSize, referenceSize: p.outputSize, onError: p.onError }));
}

/** What the sinks of one evaluation write and compute. */
export interface EvalSinksConfig {
  /** `metrics.arrow` (per-image PSNR and SSIM rows). */
  readonly metricsPath: string;
  readonly ssim: SsimSelection;
  readonly provenance: Provenance;
  /** Schema metadata of metrics.arrow (see {@link evalMetricsMetadata}). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Feature network of the Fréchet statistics (borrowed), or null for none. */
  readonly extractor: FeatureExtractor | null;
  readonly featureBatch: number;
  /** Score against a statistics file: no reference-side statistics are accumulated. */
  readonly referenceStats: boolean;
  readonly codebookSize: number;
  /** Folder and count of the report's preview pairs (count 0: none). */
  readonly previews: { readonly dir: string; readonly count: number; readonly every?: number };
}

/**
 * The fan-out of a reconstruction evaluation, named as {@link collectEvalResults} reads them: `metrics` (Arrow
 * rows + running means), `fd-reconstructions` / `fd-references` (Fréchet moments), `codebook`, `previews`.
 */
export function evalSinks(c: EvalSinksConfig): Sink<ReconstructionRecord & CodeRecord>[] {
  const sinks: Sink<ReconstructionRecord & CodeRecord>[] = [imageMetricsSink({ path: c.metricsPath, ssim: c.ssim, provenance: c.provenance, metadata: c.metadata })];
  if (c.extractor) {
    sinks.push(frechetStatsSink({ extractor: c.extractor, side: 'reconstruction', maxBatch: c.featureBatch }));
    if (!c.referenceStats) sinks.push(frechetStatsSink({ extractor: c.extractor, side: 'reference', maxBatch: c.featureBatch }));
  }
  sinks.push(codebookUsageSink(c.codebookSize));
  if (c.previews.count > 0) sinks.push(previewSink({ dir: c.previews.dir, count: c.previews.count, every: c.previews.every }));
  return sinks;
}

/** Schema metadata of metrics.arrow: the SSIM recipes, the image protocol, the decode mode and the rank. */
export function evalMetricsMetadata(identity: EvalIdentity, rank: { readonly rank: number; readonly worldSize: number }): Record<string, string> {
  return {
    'vqrae.ssim_variants': ssimVariantsMetadata(identity.ssim),
    'vqrae.image_protocol': JSON.stringify({ crop: identity.crop, inputSize: identity.inputSize, outputSize: identity.outputSize, uint8: 'round-half-up' }),
    'vqrae.decode_mode': identity.decodeMode ?? 'exact',
    'vqrae.rank': JSON.stringify({ rank: rank.rank, worldSize: rank.worldSize }),
  };
}
