import { collectingReporter, type SkipReporter } from '@vqrae/data';
import type { Logger, SampleMeta, SkipRecord } from '@vqrae/graph';
import type { SampleSkip } from '../exactly-once/manifest.js';
import type { ShardResult } from '../exactly-once/exactly-once-sink.js';

/** Stages whose skips happen before `--augment` cuts the views (one skipped sample = `views` skipped rows). */
const EARLY_STAGES = new Set(['decode', 'crop', 'check', 'augment']);

interface ShardCounts {
  /** Samples the reader yielded. */
  read: number;
  /** Reader-level skips (malformed members) with their keys. */
  readerSkips: SampleSkip[];
  /** Stage skips (decode, crop, check, augment, model batch) in order. */
  stageSkips: SkipRecord[];
  /** Why the shard as a whole failed (truncated tar, unreadable), if it did. */
  failed?: string;
  /** Batches that reached the model, by joined keys: a skipped batch is listed one key per sample. */
  batches: Map<string, readonly SampleMeta[]>;
}

/**
 * Per-shard sample accounting of a one-graph dump (what the per-shard graphs used to count): samples read, reader
 * skips, stage skips (from `RunOptions.onSkip`), failures, and the batches that reached the model. The exactly-once
 * sink asks for a shard's result when it commits it; the shard's counts are then dropped.
 */
export class ShardTally {
  private readonly shards = new Map<string, ShardCounts>();

  constructor(
    /** Rows per sample (`--augment` views; 1 without). */
    private readonly views: number,
    private readonly log: Logger,
  ) {}

  private of(shard: string): ShardCounts {
    let counts = this.shards.get(shard);
    if (!counts) this.shards.set(shard, (counts = { read: 0, readerSkips: [], stageSkips: [], batches: new Map() }));
    return counts;
  }

  /** A reporter for the reader of `shard` (its skips and messages are that shard's). */
  reporterFor(shard: string): SkipReporter {
    const inner = collectingReporter();
    const counts = this.of(shard);
    return {
      log: { info: (m) => this.log.info(m), warn: (m) => this.log.warn(m), error: (m) => this.log.error(m) },
      skip: (item, reason) => {
        inner.skip(item, reason);
        const skip = inner.skips.pop()!;
        // A tar stream that ends early is a failed shard, not one skipped sample: the samples after the cut were never
        // seen, so the shard is recorded as failed (nothing committed) and redone by the next run.
        if (skip.endsShard === true) counts.failed ??= `tar stream ends early (truncated or corrupt; the samples after the cut are missing): ${skip.reason}`;
        else if (skip.meta === undefined) counts.failed ??= `could not be read: ${skip.reason}`;
        else counts.readerSkips.push({ key: skip.meta.key, reason: skip.reason });
      },
    };
  }

  /** One sample read from `shard`. */
  read(shard: string): void {
    this.of(shard).read += 1;
  }

  /** A batch about to enter the model stage. */
  batch(metas: readonly SampleMeta[]): void {
    if (metas.length > 0) this.of(metas[0]!.shard).batches.set(metas.map((m) => m.key).join(','), metas);
  }

  /** A stage skip (`RunOptions.onSkip`). */
  skip(record: SkipRecord): void {
    if (record.shard !== undefined) this.of(record.shard).stageSkips.push(record);
    else this.log.warn(`skip without a shard in stage ${record.stage}: ${record.reason}`);
  }

  /** The shard's result for the exactly-once sink; its counts are released. */
  resultOf(shard: string): ShardResult {
    const counts = this.of(shard);
    this.shards.delete(shard);
    if (counts.failed !== undefined) return { failed: counts.failed };
    const skips: SampleSkip[] = [
      ...counts.readerSkips,
      ...counts.stageSkips.flatMap((s) => {
        const reason = `${s.stage}: ${s.reason}`;
        const batch = s.key === undefined ? undefined : counts.batches.get(s.key);
        return batch ? batch.map((m) => ({ key: m.key, reason })) : [{ key: s.key ?? '', reason }];
      }),
    ];
    // With --augment every sample stands for `views` rows: a sample skipped before the views were cut (tar, decode,
    // crop) skips all of them; a model batch skip already lists one key per view.
    const early = counts.readerSkips.length + counts.stageSkips.filter((s) => EARLY_STAGES.has(s.stage)).length;
    const seen = (counts.read + counts.readerSkips.length) * this.views;
    const skipped = skips.length + early * (this.views - 1);
    return { seen, skipped, skips };
  }
}
