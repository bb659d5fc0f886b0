import { skipRecordFor } from './item-meta.js';
import type { Logger, SkipRecord, StageContext, StageCounters } from './types.js';

/** Fresh all-zero counters. */
export function newCounters(): StageCounters {
  return { seen: 0, emitted: 0, skipped: 0, dropped: 0, errors: 0, outputs: 0, busyMs: 0 };
}

/** A logger that discards everything (tests, quiet library use). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A logger writing `[level] message` lines to stderr (warn/error) and stdout (info). */
export const consoleLogger: Logger = {
  info: (message) => console.log(message),
  warn: (message) => console.warn(`warning: ${message}`),
  error: (message) => console.error(`error: ${message}`),
};

export interface StageContextOptions {
  /** Stage (or sink) name, used in skip records and log lines. */
  readonly name: string;
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  /** Receives every skip record (the Graph collects them into the run summary). */
  readonly onSkip?: (record: SkipRecord) => void;
}

/**
 * The context one stage runs with: its own counters, the run's signal and logger, and `skip()` which counts the item,
 * logs it with its key/shard and hands a record to `onSkip`. Use it directly to run a stage outside a Graph.
 */
export function createStageContext(options: StageContextOptions): StageContext {
  const counters = newCounters();
  const log = options.log ?? silentLogger;
  return {
    signal: options.signal ?? new AbortController().signal,
    log,
    counters,
    skip(item: unknown, reason: string): void {
      counters.skipped += 1;
      const record = skipRecordFor(options.name, item, reason);
      const where = record.key !== undefined ? ` key ${record.key} (shard ${record.shard})` : ' an item';
      log.warn(`stage '${options.name}' skipped${where}: ${reason}`);
      options.onSkip?.(record);
    },
  };
}
