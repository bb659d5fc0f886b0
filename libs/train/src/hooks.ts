import path from 'node:path';
import type { Sink } from '@vqrae/graph';
import { stepRow, type StepLogWriter } from './step-log.js';
import type { StepHook } from './train-stage.js';
import type { StepRecord } from './types.js';

/** Runs `action` every `every` steps (and, when `atEnd`, after the last step if it was not a multiple). */
export function periodicHook(
  name: string,
  every: number,
  action: (step: number, samplesTotal: number) => Promise<void> | void,
  opts: { readonly atEnd: boolean; readonly atStart?: boolean } = { atEnd: true },
): StepHook & { before?: () => Promise<void> | void } {
  let lastDone = -1;
  return {
    name: `${name}(every ${every})`,
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
