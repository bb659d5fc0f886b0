import path from 'node:path';
import type { Sink } from '@vqrae/graph';
import { stepRow, type StepLogWriter } from './step-log.js';
import type { StepHook } from './train-stage.js';
import type { StepRecord } from './types.js';

/** When a periodic hook runs besides every `every` steps. */
export interface PeriodicHookOptions {
  /** After the last step when it was not a multiple of `every` (default true). */
  readonly atEnd: boolean;
  /** Once before the first step of the run, at its starting step (e.g. the step-0 evaluation). */
  readonly atStart?: boolean;
  /** What the graph description adds after `every N`, e.g. `EMA, 16 held-out images`. */
  readonly detail?: string;
}

/**
 * A named hook that runs `action` every `every` steps (0 = never), and optionally at the start and after the last
 * step; described as `name(every N, at start, at end, detail)` in the graph.
 */
export function periodicHook(
  name: string,
  every: number,
  action: (step: number, samplesTotal: number) => Promise<void> | void,
  opts: PeriodicHookOptions = { atEnd: true },
): StepHook {
  let lastDone = -1;
  const when = [every > 0 ? `every ${every}` : 'never periodically', opts.atStart ? 'at start' : '', opts.atEnd ? 'at end' : '', opts.detail ?? '']
    .filter((part) => part !== '')
    .join(', ');
  return {
    name,
    describe: () => `${name}(${when})`,
    async beforeRun(start) {
      if (!opts.atStart) return;
      await action(start.step, start.samplesTotal);
      lastDone = start.step;
    },
    async afterStep(record: StepRecord, samplesTotal: number) {
      if (every > 0 && record.step % every === 0) {
        await action(record.step, samplesTotal);
        lastDone = record.step;
      }
    },
    async afterRun(last: StepRecord | null, samplesTotal: number) {
      if (opts.atEnd && last !== null && last.step !== lastDone) {
        await action(last.step, samplesTotal);
        lastDone = last.step;
      }
    },
  };
}

/** The per-step Arrow log as a graph sink (one row per StepRecord; closes the file at the end or on failure). */
export function stepLogSink(writer: StepLogWriter, onRecord?: (record: StepRecord) => void): Sink<StepRecord, string> {
  return {
    name: 'step-log',
    describe: () => `arrow-log(${path.basename(writer.file)})`,
    write(record: StepRecord) {
      writer.append(stepRow(record));
      onRecord?.(record);
    },
    async finish() {
      await writer.close();
      return writer.file;
    },
    async abort() {
      await writer.close();
    },
  };
}
