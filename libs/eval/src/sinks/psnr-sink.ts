import { writeFileAtomic, type Sink } from '@vqrae/graph';
import { uint8Image } from '../metrics/host-image.js';
import { psnr } from '../metrics/psnr.js';
import { RunningMean } from '../metrics/running-mean.js';
import { scoreReconstructions, type ReconstructionRecord } from './reconstruction-record.js';

/**
 * A batch with reference and decoded pixels: what the `reconstruct` model stage of `@vqrae/tokenizer` emits (the
 * record every reconstruction sink reads, see `ReconstructionRecord`).
 */
export type ReconstructedBatch = ReconstructionRecord;

/** What {@link psnrSink} returns: the mean of per-image PSNR (dB) over `count` images. */
export interface PsnrSummary {
  readonly count: number;
  readonly mean: number;
}

export interface PsnrSinkOptions {
  /** Sink name (default `psnr`). */
  readonly name?: string;
  /** Where to write the summary as JSON (atomically) at the end; nothing is written when absent. */
  readonly path?: string;
}

/**
 * Mean PSNR of reconstructed batches (model-spec §8.2: per-image PSNR on uint8 pixels, averaged over images), scored
 * as `imageMetricsSink` scores its `psnr` column (`scoreReconstructions`), without SSIM or an Arrow file. The
 * reference is the record's reference crop, or the input when it has the output side; otherwise an error names the
 * sample.
 *
 * @example
 * graph.to(psnrSink({ path: 'psnr.json' })) // → { count: 10, mean: 23.4 }
 */
export function psnrSink(options: PsnrSinkOptions = {}): Sink<ReconstructionRecord, PsnrSummary> {
  const name = options.name ?? 'psnr';
  const mean = new RunningMean();
  return {
    name,
    describe: () => `${name}(mean over images${options.path ? ` → ${options.path}` : ''})`,
    write(batch) {
      const rows = scoreReconstructions(batch, (reference, decoded, side) => ({ psnr: psnr(uint8Image(reference, side, side, 3), uint8Image(decoded, side, side, 3)) }));
      for (const row of rows) mean.add(row.values.psnr);
    },
    async finish() {
      const summary: PsnrSummary = { count: mean.count, mean: mean.mean };
      if (options.path) await writeFileAtomic(options.path, `${JSON.stringify(summary, null, 2)}\n`);
      return summary;
    },
  };
}
