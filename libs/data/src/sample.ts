import type { Logger, SampleMeta } from '@vqrae/graph';

/**
 * One WebDataset sample as read from a shard: its metadata (`key` = Python's `__key__`, `shard` = `__url__`,
 * `index` = position of the sample in its shard) and its members by lower-cased extension (`jpg`, `cls`,
 * `seg.png`, ...), in tar order.
 */
export interface ShardSample {
  readonly meta: SampleMeta;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/**
 * Where readers report what they skip under `onError: 'skip'`. A graph `StageContext` satisfies it, so a stage can
 * pass its context straight through; `consoleReporter()` is the stand-alone default.
 */
export interface SkipReporter {
  readonly log: Logger;
  skip(item: unknown, reason: string): void;
}

/** A reporter that logs skips as warnings and counts them in `skipped`. */
export function consoleReporter(): SkipReporter & { skipped: number } {
  const reporter = {
    skipped: 0,
    log: {
      info: (m: string) => console.log(m),
      warn: (m: string) => console.warn(m),
      error: (m: string) => console.error(m),
    },
    skip(_item: unknown, reason: string) {
      reporter.skipped += 1;
      console.warn(`skipped: ${reason}`);
    },
  };
  return reporter;
}

/**
 * One recorded skip. `endsShard`: the shard could not be read past this point (a truncated or corrupt tar stream),
 * so samples after it were never seen.
 */
export interface CollectedSkip {
  readonly meta?: SampleMeta;
  readonly reason: string;
  readonly endsShard?: true;
}

/** A reporter that records skips in memory (tests, `shards check`, dumps). */
export function collectingReporter(): SkipReporter & { skips: CollectedSkip[]; messages: string[] } {
  const messages: string[] = [];
  const skips: CollectedSkip[] = [];
  return {
    skips,
    messages,
    log: { info: (m) => messages.push(m), warn: (m) => messages.push(m), error: (m) => messages.push(m) },
    skip(item, reason) {
      const { meta, endsShard } = (item ?? {}) as { meta?: SampleMeta; endsShard?: boolean };
      skips.push({ ...(meta ? { meta } : {}), reason, ...(endsShard === true ? { endsShard } : {}) });
    },
  };
}
