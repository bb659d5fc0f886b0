/**
 * A cell's final evaluation: its EMA tokenizer checkpoint on the held-out shards, as a graph of library pieces —
 * shards → decode → centre crop (input size; reference at output size) → batch → reconstruct → { PSNR + SSIM rows
 * (`metrics.arrow`) | Fréchet statistics of reconstructions and references | codebook usage }.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { batchSamples, cropWithReference, DatasetSpec, decodeImages, type RemoteShardOptions } from '@vqrae/data';
import {
  codebookUsageSink,
  frechetDistance,
  frechetStatsSink,
  functionFeatureExtractor,
  imageMetricsSink,
  makeProvenance,
  namedFeatureSpace,
  ssimSelection,
  type CodebookUsage,
  type FeatureExtractor,
  type FeatureStatsResult,
  type MetricsFileResult,
} from '@vqrae/eval';
import { Graph, type Logger, type RunSummary } from '@vqrae/graph';
import { sha256File } from '@vqrae/nn';
import { loadCheckpoint, reconstructStage, tfjsEngine, type VqraeModel } from '@vqrae/tokenizer';

/** The SSIM variant of the ablation's `ssim` column (torchmetrics ≥ 1.5, the paper's tooling). */
export const ABLATION_SSIM_VARIANT = 'torchmetrics';

/** What a cell's held-out evaluation measured. */
export interface CellMetrics {
  readonly images: number;
  /** Mean over images of per-image PSNR on uint8 images (dB). */
  readonly psnr: number;
  /** Mean SSIM (torchmetrics variant). */
  readonly ssim: number;
  /** Fréchet distance of reconstructions vs references in `fdSpace` (NaN with fewer than 2 images). */
  readonly fd: number;
  /** `FD[<space>]`: never rFID. */
  readonly fdLabel: string;
  readonly fdSpace: string;
  readonly utilisation: number;
  readonly perplexity: number;
  readonly codesUsed: number;
  readonly deadCodes: number;
  readonly checkpointSha256: string;
}

/** How the evaluation reads its shards and runs its graph. */
export interface CellEvalOptions {
  readonly evalData: string;
  readonly evalImages: number;
  readonly batch: number;
  readonly log: Logger;
  readonly remote?: RemoteShardOptions;
  /** Runs the graph (default `graph.run`); must reject when the run failed. */
  readonly runGraph?: (name: string, graph: Graph) => Promise<RunSummary>;
  readonly signal?: AbortSignal;
}

/** sha256 of the encoder's weights (names sorted, float32 bytes): the frozen feature space a cell's FD is in. */
function encoderSha256(model: VqraeModel): string {
  const hash = crypto.createHash('sha256');
  const prefix = model.encoder.paramPrefix;
  for (const name of model.params.names().filter((n) => n.startsWith(prefix)).sort()) {
    const values = model.params.get(name).dataSync() as Float32Array;
    hash.update(name);
    hash.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest('hex');
}

/**
 * The model's own frozen encoder, Z_I mean over tokens, as a feature network: stage 1 never trains it, so every cell
 * of a pretrained preset shares this space (its name carries the weights' hash; cells whose encoders differ, e.g. the
 * random tiny encoder of another seed, get other names).
 */
function frozenEncoderExtractor(model: VqraeModel): FeatureExtractor {
  const sha = encoderSha256(model);
  const space = namedFeatureSpace(
    `frozen-encoder-${sha.slice(0, 12)}`,
    `the cells' frozen ${model.config.encoder.kind} encoder (weights sha256 ${sha}), Z_I mean over tokens; not FID`,
  );
  const size = model.inputSize;
  return functionFeatureExtractor(space, model.encoder.geometry.width, (images, range) =>
    tf.tidy(() => {
      const pixels = range === 'uint8' ? tf.div(tf.cast(images, 'float32'), 255) : tf.cast(images, 'float32'); // [B, H, W, 3] pixel01
      const sized = images.shape[1] === size && images.shape[2] === size ? pixels : tf.image.resizeBilinear(pixels as tf.Tensor4D, [size, size], false, true);
      return tf.mean(model.features(sized as tf.Tensor4D), 1) as tf.Tensor2D; // [B, N, d] → [B, d]
    }),
  );
}

/** Picks a sink's result out of a run summary by name. */
function sinkResult<T>(summary: RunSummary, name: string): T {
  const found = summary.sinks.find((s) => s.name === name)?.result as T | undefined;
  if (found === undefined) throw new Error(`ablate: the '${name}' sink of the cell evaluation returned nothing`);
  return found;
}

/**
 * Evaluates the tokenizer checkpoint `checkpoint` (a cell's `model-ema.safetensors`) on the first `evalImages` held-out
 * images, writing `<cellDir>/metrics.arrow` (one row per image). Returns null when the run was cancelled.
 */
export async function evaluateCell(checkpoint: string, cellDir: string, options: CellEvalOptions): Promise<CellMetrics | null> {
  const checkpointSha256 = await sha256File(checkpoint);
  const model = await loadCheckpoint(checkpoint);
  const engine = tfjsEngine(model, 'tfjs(EMA)'); // owns the model
  let extractor: FeatureExtractor | null = null;
  try {
    extractor = frozenEncoderExtractor(model);
    const ssim = ssimSelection(ABLATION_SSIM_VARIANT, 'none');
    const codebookSize = model.config.quantizer.codebookSize;
    const provenance = makeProvenance({
      tool: 'vqrae ablate (cell evaluation)',
      command: [],
      config: { checkpoint, evalData: options.evalData, evalImages: options.evalImages, crop: 'center', inputSize: engine.inputSize, outputSize: engine.outputSize },
      checkpointSha256,
    });
    const spec = new DatasetSpec({ shards: options.evalData, epochs: 1, limit: options.evalImages, ...(options.remote ? { remote: options.remote } : {}) });
    const graph = Graph.from(spec.asSource())
      .pipe(decodeImages({ onError: 'throw' }))
      .pipe(cropWithReference({ protocol: 'center', inputSize: engine.inputSize, referenceSize: engine.outputSize, onError: 'throw' }))
      .pipe(batchSamples({ size: options.batch }))
      .pipe(reconstructStage(engine))
      .to(
        imageMetricsSink({ path: path.join(cellDir, 'metrics.arrow'), ssim, provenance }),
        frechetStatsSink({ extractor, side: 'reconstruction' }),
        frechetStatsSink({ extractor, side: 'reference' }),
        codebookUsageSink(codebookSize),
      );
    const summary = options.runGraph
      ? await options.runGraph('ablate-eval', graph)
      : await graph.run({ log: options.log, ...(options.signal ? { signal: options.signal } : {}) });
    if (summary.cancelled) return null;
    const metrics = sinkResult<MetricsFileResult>(summary, 'metrics');
    const recon = sinkResult<FeatureStatsResult>(summary, 'fd-reconstructions');
    const reference = sinkResult<FeatureStatsResult>(summary, 'fd-references');
    const usage = sinkResult<CodebookUsage>(summary, 'codebook').summary();
    const fd = recon.moments.count >= 2 ? frechetDistance(recon.moments.toGaussian(), reference.moments.toGaussian()).distance : Number.NaN;
    const space = recon.space.kind === 'named' ? recon.space.name : recon.label;
    return {
      images: metrics.rows,
      psnr: metrics.summary['psnr']!.mean,
      ssim: metrics.summary['ssim']!.mean,
      fd,
      fdLabel: recon.label,
      fdSpace: space,
      utilisation: usage.utilization,
      perplexity: usage.perplexity,
      codesUsed: usage.usedCodes,
      deadCodes: codebookSize - usage.usedCodes,
      checkpointSha256,
    };
  } finally {
    extractor?.dispose();
    await engine.dispose();
  }
}
