import type { Sink } from '@vqrae/graph';
import { SsimScorer } from '../metrics/ssim/ssim.js';
import { imageMetricColumns, scorePair, type SsimSelection } from '../metrics/ssim-selection.js';
import { arrowMetricsSink, type MetricsFileResult } from './metrics-sink.js';
import type { Provenance } from './provenance.js';
import { scoreReconstructions, type ReconstructionRecord } from './reconstruction-record.js';

/** Configuration of `imageMetricsSink`. */
export interface ImageMetricsSinkOptions {
  /** The Arrow file written (`metrics.arrow`), atomically. */
  readonly path: string;
  /** Variants scored: the first fills `ssim`, the others `ssim_<name>` (see `ssimSelection`). */
  readonly ssim: SsimSelection;
  readonly provenance: Provenance;
  /** Extra schema metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Sink name (default `metrics`). */
  readonly name?: string;
}

/**
 * Sink: PSNR and every selected SSIM variant of each reconstruction against its reference (host float64, uint8
 * images), one Arrow row per image (key, shard, index, psnr, ssim, ssim_…), running mean/min/max per column in its
 * result. Reads `references` of the record (or the inputs when they have the output size): no side map needed.
 */
export function imageMetricsSink(options: ImageMetricsSinkOptions): Sink<ReconstructionRecord, MetricsFileResult> {
  const name = options.name ?? 'metrics';
  const columns = imageMetricColumns(options.ssim);
  const inner = arrowMetricsSink({ path: options.path, columns, provenance: options.provenance, metadata: options.metadata ?? {}, name });
  const scorer = new SsimScorer(options.ssim.variants);
  return {
    name,
    describe: () => `psnr+ssim(${options.ssim.names.join(', ')}) → metrics.arrow`,
    write(batch, ctx) {
      return inner.write(scoreReconstructions(batch, (reference, decoded, side) => scorePair(scorer, options.ssim, reference, decoded, side)), ctx);
    },
    finish: async (ctx) => (await inner.finish!(ctx)) as MetricsFileResult,
    abort: async (error, ctx) => {
      await inner.abort?.(error, ctx);
    },
  };
}
