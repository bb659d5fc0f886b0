import type { RgbImage } from '@vqrae/data';
import { writeFileAtomic, type SampleMeta, type Sink } from '@vqrae/graph';
import { uint8Image } from '../metrics/host-image.js';
import { psnr } from '../metrics/psnr.js';
import { RunningMean } from '../metrics/running-mean.js';

/**
 * A batch with reference and decoded pixels: what the `reconstruct` model stage of `@vqrae/tokenizer` emits
 * (declared structurally here, so eval does not depend on the tokenizer).
 */
export interface ReconstructedBatch {
  readonly metas: readonly SampleMeta[];
  /** Reference images `[S, S, 3]` uint8. */
  readonly images: readonly RgbImage[];
  /** Decoded images `[S_out, S_out, 3]` uint8, in the order of `images`. */
  readonly decoded: readonly Uint8Array[];
  readonly outputSize: number;
}

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
 * Mean PSNR of reconstructed batches (model-spec §8.2: per-image PSNR on uint8 pixels, averaged over images). The
 * reference must have the decoder's output side; a mismatch is an error naming the sample.
 *
 * @example
 * graph.to(psnrSink({ path: 'psnr.json' })) // → { count: 10, mean: 23.4 }
 */
export function psnrSink(options: PsnrSinkOptions = {}): Sink<ReconstructedBatch, PsnrSummary> {
  const name = options.name ?? 'psnr';
  const mean = new RunningMean();
  return {
    name,
    describe: () => `${name}(mean over images${options.path ? ` → ${options.path}` : ''})`,
    write(batch) {
      const side = batch.outputSize;
      batch.images.forEach((reference, b) => {
        const meta = batch.metas[b]!;
        if (reference.width !== side || reference.height !== side) {
          throw new Error(`${name}: reference of ${meta.key} (shard ${meta.shard}) is ${reference.width}×${reference.height}, the decoder gives ${side}×${side}`);
        }
        mean.add(psnr(uint8Image(reference.data, side, side, 3), uint8Image(batch.decoded[b]!, side, side, 3)));
      });
    },
    async finish() {
      const summary: PsnrSummary = { count: mean.count, mean: mean.mean };
      if (options.path) await writeFileAtomic(options.path, `${JSON.stringify(summary, null, 2)}\n`);
      return summary;
    },
  };
}
