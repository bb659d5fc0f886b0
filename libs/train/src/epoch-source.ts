import type { Source } from '@vqrae/graph';
import type { DatasetSpec, ShardSample } from '@vqrae/data';

/** Where the training stream starts: the epoch and how many of its samples were already consumed. */
export interface StreamStart {
  readonly epoch: number;
  readonly samplesInEpoch: number;
  /** Samples consumed before `epoch` began plus `samplesInEpoch` (the global count at the start). */
  readonly samplesTotal: number;
}

/**
 * The training sample stream: epochs of `spec` back to back (epoch e opened with `open({ epoch: e })`, so the shard
 * order, the shuffle buffer and the crops of every epoch are reproducible), starting at a checkpoint's position by
 * skipping already consumed samples before anything is decoded. It records where each epoch began in the global
 * sample count, so the consumer can turn "samples consumed" back into (epoch, samples in epoch) for the next
 * checkpoint. Each sample carries its `ordinal` in the global stream, so a consumer downstream of a stage that skips
 * bad samples still knows exactly how far the source has been consumed (skipped samples included). Infinite: the
 * consumer stops pulling.
 */
/** A training sample: its epoch and its 1-based position in the global source stream (before any skip downstream). */
export type TrainSourceSample = ShardSample & { readonly epoch: number; readonly ordinal: number };

export class EpochSampleSource implements Source<TrainSourceSample> {
  readonly name = 'shards';
  /** epoch → global sample count at which it began (known for every epoch the source has started). */
  private readonly starts = new Map<number, number>();

  /** `onEpochEnd(epoch, samples)` is called when an epoch's shards are exhausted, with its full sample count. */
  constructor(
    private readonly spec: DatasetSpec,
    private readonly start: StreamStart,
    private readonly onEpochEnd?: (epoch: number, samples: number) => void,
  ) {
    this.starts.set(start.epoch, start.samplesTotal - start.samplesInEpoch);
  }

  describe(): string {
    const at = this.start.samplesInEpoch > 0 ? `, resume at epoch ${this.start.epoch} sample ${this.start.samplesInEpoch}` : '';
    return `${this.spec.describe()} × epochs from ${this.start.epoch}${at}`;
  }

  async *open(signal: AbortSignal): AsyncIterable<TrainSourceSample> {
    let total = this.start.samplesTotal - this.start.samplesInEpoch;
    for (let epoch = this.start.epoch; !signal.aborted; epoch++) {
      this.starts.set(epoch, total);
      const skip = epoch === this.start.epoch ? this.start.samplesInEpoch : 0;
      let index = 0;
      for await (const sample of this.spec.open({ epoch, signal })) {
        index += 1;
        total += 1;
        if (index <= skip) continue;
        yield { ...sample, epoch, ordinal: total };
      }
      if (index === 0) throw new Error(`training source: epoch ${epoch} of ${this.spec.describe()} has no samples`);
      if (index < skip) {
        throw new Error(`training source: cannot resume at sample ${skip} of epoch ${epoch}: it has only ${index} samples`);
      }
      this.onEpochEnd?.(epoch, index);
    }
  }

  /** The epoch a global sample count falls in, and the samples of that epoch it includes. */
  positionAt(samplesTotal: number): { epoch: number; samplesInEpoch: number } {
    let best = this.start.epoch;
    for (const [epoch, begin] of this.starts) if (begin <= samplesTotal && epoch > best) best = epoch;
    // A count exactly at an epoch boundary belongs to the next epoch with 0 samples consumed, when it has begun.
    return { epoch: best, samplesInEpoch: samplesTotal - (this.starts.get(best) ?? 0) };
  }
}
