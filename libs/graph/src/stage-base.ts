/// <reference types="highland" />
import { performance } from 'node:perf_hooks';
import { fromHighland, toHighland } from './highland-io.js';
import { stageErrorFor } from './item-meta.js';
import type { ErrorPolicy, Stage, StageContext } from './types.js';

/** Options every helper stage accepts. */
export interface StageOptions {
  /** `throw` (default): the run stops with a StageError naming the stage and key/shard. `skip`: drop, log, count. */
  readonly onError?: ErrorPolicy;
  /** What Graph.describe() prints for this stage, e.g. `resize(256, center)`. Defaults to the stage name. */
  readonly describe?: string;
}

export interface HighlandStageSpec<In, Out> {
  readonly name: string;
  readonly onError: ErrorPolicy;
  readonly description: string;
  through(input: Highland.Stream<In>, ctx: StageContext): Highland.Stream<Out>;
}

/** A stage's highland form: the same transform as `run`, on highland streams. */
export type HighlandForm = (input: Highland.Stream<unknown>, ctx: StageContext) => Highland.Stream<unknown>;

// Kept outside the Stage interface so the shared contract stays highland-free (and covariant in its types).
const highlandForms = new WeakMap<object, HighlandForm>();

/** The highland form registered for a stage made by defineHighlandStage (undefined for custom stages). */
export function highlandFormOf(stage: object): HighlandForm | undefined {
  return highlandForms.get(stage);
}

/**
 * Makes a Stage from its highland form; `run` (the async-iterable form) is derived from it, so both forms share one
 * implementation. The Graph engine uses the highland form directly.
 */
export function defineHighlandStage<In, Out>(spec: HighlandStageSpec<In, Out>): Stage<In, Out> {
  const stage: Stage<In, Out> = {
    name: spec.name,
    onError: spec.onError,
    describe: () => spec.description,
    run: (input, ctx) => fromHighland(spec.through(toHighland(input), ctx)),
  };
  highlandForms.set(stage, spec.through as unknown as HighlandForm);
  return stage;
}

/** Marks an item dropped by the error policy inside a highland pipeline (filtered out right after). */
export const SKIPPED: unique symbol = Symbol('skipped');
export type Attempt<T> = T | typeof SKIPPED;

/** Applies the stage's error policy to a failure on `item`: returns SKIPPED under skip, throws a StageError under throw. */
export function handleFailure(name: string, policy: ErrorPolicy, ctx: StageContext, item: unknown, error: unknown): typeof SKIPPED {
  ctx.counters.errors += 1;
  const stageError = stageErrorFor(name, item, error);
  if (policy === 'throw') throw stageError;
  ctx.skip(item, stageError.cause instanceof Error ? stageError.cause.message : String(stageError.cause));
  return SKIPPED;
}

/** Runs `work` and adds its duration to the stage's busy time. */
export function timed<T>(ctx: StageContext, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    ctx.counters.busyMs += performance.now() - start;
  }
}

/** Like timed() for async work. */
export async function timedAsync<T>(ctx: StageContext, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    ctx.counters.busyMs += performance.now() - start;
  }
}

/** Removes SKIPPED markers from a highland stream. */
export function dropSkipped<T>(stream: Highland.Stream<Attempt<T>>): Highland.Stream<T> {
  return stream.filter((x) => x !== SKIPPED) as Highland.Stream<T>;
}
