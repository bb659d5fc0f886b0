import { DatasetSpec, decodeImages, type DecodeMode, type RemoteShardOptions } from '@vqrae/data';
import { Graph, type ErrorPolicy, type Sink } from '@vqrae/graph';
import type { FeatureExtractor, Provenance } from '@vqrae/eval';
import { reconstructStage, type TokenizerEngine } from '@vqrae/tokenizer';
import type { RankAssignment } from '../dump/rank.js';
import { evalCropStage, shardBatchStage, type EvalBatch, type EvalCrop, type EvalInputBatch } from './eval-batch.js';
import { evalFastReferenceStage } from './eval-fast-decode.js';
import { codebookSink, evalFeatureSink, previewSink } from './eval-sinks.js';
import { imageMetricsSink, type SsimSelection } from './image-metrics.js';

/** What the reconstruction-eval graph needs. */
export interface EvalGraphOptions {
  /** Borrowed: the caller disposes it. */
  readonly engine: TokenizerEngine;
  /** e.g. `tiny, k=512`. */
  readonly modelLabel: string;
  readonly data: string;
  /** Retries and cache of http(s) shards. */
  readonly remote?: RemoteShardOptions;
  readonly rank: RankAssignment;
  readonly crop: EvalCrop;
  /** `exact` (default, the reference protocol) or `fast` (shrink-on-load decode, README "Decode modes"). */
  readonly decodeMode?: DecodeMode;
  readonly batch: number;
  readonly onError: ErrorPolicy;
  readonly ssim: SsimSelection;
  /** Feature network of the Fréchet distance; null = no Fréchet statistics. */
  readonly extractor: FeatureExtractor | null;
  /** Accumulate reference statistics too (false when scoring against `--reference-stats`). */
  readonly referenceStatistics: boolean;
  /** Largest sub-batch sent through the feature network at once. */
  readonly featureBatch: number;
  readonly previews: number;
  /** Run folder: metrics.arrow and previews/ go here. */
  readonly outDir: string;
  readonly metricsPath: string;
  readonly provenance: Provenance;
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * shards (this rank's) → decode → crop (model input size; reference at output size) → batch (within shard) →
 * (`decodeMode: 'fast'`: the crop happens inside the decoder, see `evalFastReferenceStage`) →
 * reconstruct (clamp, uint8 round half up) → { metrics.arrow | FD reconstructions | FD references | codebook | previews }.
 */
export function buildEvalGraph(o: EvalGraphOptions): Graph {
  const spec = new DatasetSpec({ shards: o.data, onError: o.onError, ...(o.remote ? { remote: o.remote } : {}) });
  const sinks: Sink<EvalBatch>[] = [imageMetricsSink({ path: o.metricsPath, ssim: o.ssim, provenance: o.provenance, metadata: o.metadata })];
  if (o.extractor) {
    sinks.push(evalFeatureSink(o.extractor, 'reconstruction', o.featureBatch));
    if (o.referenceStatistics) sinks.push(evalFeatureSink(o.extractor, 'reference', o.featureBatch));
  }
  sinks.push(codebookSink(o.engine.codebookSize));
  if (o.previews > 0) sinks.push(previewSink(o.outDir, o.previews));
  const source = Graph.from(spec.asSource({ rank: o.rank.rank, worldSize: o.rank.worldSize }));
  const cropped = o.decodeMode === 'fast'
    ? source
      .pipe(decodeImages({ onError: o.onError, crop: { protocol: o.crop, size: o.engine.inputSize }, decodeMode: 'fast' }))
      .pipe(evalFastReferenceStage(o.crop, o.engine.inputSize, o.engine.outputSize, o.onError))
    : source
      .pipe(decodeImages({ onError: o.onError }))
      .pipe(evalCropStage(o.crop, o.engine.inputSize, o.engine.outputSize, o.onError));
  return cropped
    .pipe(shardBatchStage(o.batch))
    .pipe(reconstructStage<EvalInputBatch>(o.engine, { label: `${o.modelLabel}, round-half-up uint8` }))
    .to(...sinks);
}
