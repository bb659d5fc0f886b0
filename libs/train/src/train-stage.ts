import { performance } from 'node:perf_hooks';
import type { Stage, StageContext } from '@vqrae/graph';
import type { StepMeasure, Trainer } from './trainer.js';
import type { StepRecord, TrainBatch } from './types.js';

/**
 * A named hook of the training graph: work that must see the model exactly as it is after a step (checkpoints,
 * previews, held-out evaluation, or a user's own). Hooks run in-line inside the `train-step` stage, in order, before
 * the next batch is pulled, so a checkpoint's weights, optimizer state and data position always belong to the same
 * step. Their names are unique within the stage and `describe()` is printed in the graph (graph.txt, `--dry-run`).
 */
export interface StepHook {
  readonly name: string;
  /** What the graph description prints for this hook, e.g. `checkpoint(every 100, at end)`; default: the name. */
  describe?(): string;
  /** Runs once when the stage starts, before the first batch is trained (e.g. the step-0 evaluation). */
  beforeRun?(start: { readonly step: number; readonly samplesTotal: number }): Promise<void> | void;
  afterStep(record: StepRecord, samplesTotal: number): Promise<void> | void;
  /** Runs once after the last step (final checkpoint, last evaluation). */
  afterRun?(lastRecord: StepRecord | null, samplesTotal: number): Promise<void> | void;
}

/** A training-graph hook (the same contract as StepHook, by the name the README uses). */
export type TrainHook = StepHook;

/** `[checkpoint(every 4) | eval(…)]`: the hooks as the train-step description prints them. */
export function describeHooks(hooks: readonly StepHook[]): string {
  return hooks.length === 0 ? 'none' : `[${hooks.map((h) => h.describe?.() ?? h.name).join(' | ')}]`;
}

export interface TrainStageOptions<B> {
  readonly trainer: Trainer;
  /** Stop after this many optimizer steps in total (counting steps restored from a checkpoint). */
  readonly totalSteps: number;
  /** Samples consumed before this run (resume); the stage adds each batch's size. */
  readonly samplesBefore: number;
  /** Turns a batch from the batching stage into trainer input (ownership of the images moves to the trainer). */
  toTrainBatch(batch: B): TrainBatch;
  /**
   * Global source samples consumed through `batch` (skipped ones included), for exact resume positions when an
   * upstream stage skips bad samples; default: the count grows by each batch's size.
   */
  consumedThrough?(batch: B): number;
  /** Epoch of the sample stream at a global sample count (the source knows its epoch boundaries). */
  epochAt(samplesTotal: number): number;
  readonly hooks: readonly StepHook[];
  /**
   * Runs once when the stage starts, before any hook: run records that belong to the run rather than to one hook
   * (e.g. dropping a killed run's steps logged after its checkpoint). Nothing runs under `--dry-run`.
   */
  onStart?(): Promise<void> | void;
  /** Wall-clock time (ms since epoch) after which the stage stops after the current step; hooks' afterRun still run. */
  readonly deadline?: number;
  /** Stop after this step although the schedule is longer (the run can be resumed). */
  readonly stopAfterStep?: number;
}

/** Codes with a non-zero count, and that count over k. */
export function codeUsageOf(counts: Float64Array | null, k: number): { used: number; usage: number } {
  if (counts === null || k === 0) return { used: 0, usage: 0 };
  let used = 0;
  for (const c of counts) if (c > 0) used += 1;
  return { used, usage: used / k };
}

/**
 * The `train-step` stage: batches in, one StepRecord out per optimizer step (every `accumulate` batches). Stops
 * pulling input once `totalSteps` is reached, then runs the hooks' `afterRun`.
 */
export function trainStage<B>(options: TrainStageOptions<B>): Stage<B, StepRecord> {
  const { trainer } = options;
  const accumulate = trainer.config.accumulate;
  const names = options.hooks.map((h) => h.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`train-step: duplicate hook name '${duplicate}' (hook names must be unique)`);
  return {
    name: 'train-step',
    onError: 'throw',
    describe: () =>
      `train-step(${trainer.objective.name}, steps ${options.totalSteps}` +
      `${accumulate > 1 ? `, accumulate ${accumulate}` : ''}) ⇒ hooks ${describeHooks(options.hooks)}`,
    async *run(input: AsyncIterable<B>, ctx: StageContext): AsyncIterable<StepRecord> {
      let samplesTotal = options.samplesBefore;
      let last: StepRecord | null = null;
      let micro: TrainBatch[] = [];
      try {
        await options.onStart?.();
        for (const hook of options.hooks) await hook.beforeRun?.({ step: trainer.step, samplesTotal });
        // Step timings start after the start hooks (a step-0 evaluation is not training time).
        const runStart = performance.now();
        let stepStart = performance.now();
        if (trainer.step < options.totalSteps) {
          for await (const batch of input) {
            const converted = options.toTrainBatch(batch);
            micro.push(converted);
            samplesTotal = options.consumedThrough ? options.consumedThrough(batch) : samplesTotal + converted.images.shape[0];
            if (micro.length < accumulate) continue;
            const work = micro;
            micro = [];
            const busyStart = performance.now();
            const measure = trainer.trainStep(work);
            const now = performance.now();
            ctx.counters.busyMs += now - busyStart;
            last = toRecord(measure, samplesTotal, options.epochAt(samplesTotal), (now - runStart) / 1000,
              measure.images / Math.max(1e-9, (now - stepStart) / 1000), trainer.objective.codebookSize);
            ctx.counters.emitted += accumulate;
            for (const hook of options.hooks) await hook.afterStep(last, samplesTotal);
            yield last;
            stepStart = performance.now();
            if (trainer.step >= Math.min(options.totalSteps, options.stopAfterStep ?? Infinity) || ctx.signal.aborted) break;
            if (options.deadline !== undefined && Date.now() > options.deadline) {
              ctx.log.info(`train-step: time budget reached after step ${trainer.step}; stopping`);
              break;
            }
          }
        }
        for (const hook of options.hooks) await hook.afterRun?.(last, samplesTotal);
      } finally {
        for (const batch of micro) batch.images.dispose();
      }
    },
  };
}

function toRecord(
  measure: StepMeasure,
  samplesTotal: number,
  epoch: number,
  wallSeconds: number,
  imagesPerSecond: number,
  k: number,
): StepRecord {
  const { used, usage } = codeUsageOf(measure.codeCounts, k);
  return {
    step: measure.step + 1,
    epoch,
    samplesTotal,
    wallSeconds,
    lr: measure.lr,
    gradNorm: measure.gradNorm,
    loss: measure.loss,
    terms: measure.terms,
    codesUsed: used,
    codeUsage: usage,
    imagesPerSecond,
  };
}
