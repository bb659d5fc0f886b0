/**
 * The stage-graph contract shared by every library. Stages are written as plain async-iterable transforms so they
 * can be unit-tested without highland; the engine (graph.ts) does the plumbing (backpressure, fan-out, counters,
 * progress, cancellation) on highland.
 */

/** What to do when a stage fails on one item. `throw` (default) stops the run; `skip` drops, logs and counts it. */
export type ErrorPolicy = 'throw' | 'skip';

/** Provenance every sample carries through the graph: its WebDataset key, the shard it came from, its index there. */
export interface SampleMeta {
  readonly key: string;
  readonly shard: string;
  readonly index: number;
}

/** Anything that can name the sample(s) it came from, so errors and skips can point at them. */
export interface Traceable {
  readonly meta?: SampleMeta;
  /** Batches carry the metadata of every sample in them. */
  readonly metas?: readonly SampleMeta[];
}

/** Counters kept per stage; `seen = emitted + skipped` holds for 1:1 stages (batchers/filters document their rule). */
export interface StageCounters {
  seen: number;
  emitted: number;
  skipped: number;
  errors: number;
  /** Wall time spent inside this stage's own work, milliseconds. */
  busyMs: number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Per-run context handed to every stage and sink. */
export interface StageContext {
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly counters: StageCounters;
  /** Records a skipped item (under `onError: 'skip'`) with its reason, counted and written to the run summary. */
  skip(item: unknown, reason: string): void;
}

/** A named, describable transform from a stream of In to a stream of Out. */
export interface Stage<In, Out> {
  readonly name: string;
  readonly onError: ErrorPolicy;
  /** e.g. `resize(256, center)`; used by Graph.describe(). */
  describe(): string;
  run(input: AsyncIterable<In>, ctx: StageContext): AsyncIterable<Out>;
}

/** A named consumer at the end of a graph. `finish` runs once after the last item (flush, close files). */
export interface Sink<In, Result = unknown> {
  readonly name: string;
  describe(): string;
  write(item: In, ctx: StageContext): Promise<void> | void;
  finish?(ctx: StageContext): Promise<Result> | Result;
  /** Called instead of finish when the run fails or is cancelled: close handles, remove temp files. */
  abort?(error: unknown, ctx: StageContext): Promise<void> | void;
}

/** A re-openable source: each open() returns a fresh one-shot stream. */
export interface Source<Out> {
  readonly name: string;
  describe(): string;
  open(signal: AbortSignal): AsyncIterable<Out>;
  /** Number of items when known up front (enables ETA). */
  readonly length?: number;
}

export interface StageSummary extends StageCounters {
  readonly name: string;
  readonly description: string;
}

export interface SkipRecord {
  readonly stage: string;
  readonly key?: string;
  readonly shard?: string;
  readonly reason: string;
}

export interface RunSummary {
  readonly description: string;
  readonly stages: readonly StageSummary[];
  readonly sinks: readonly { name: string; written: number; result: unknown }[];
  readonly skips: readonly SkipRecord[];
  readonly wallMs: number;
  readonly cancelled: boolean;
}

/** Error raised under `onError: 'throw'`; its message names the stage and the sample's key and shard. */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly meta: SampleMeta | undefined,
    override readonly cause: unknown,
  ) {
    const where = meta ? ` (key ${meta.key}, shard ${meta.shard}, index ${meta.index})` : '';
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`stage '${stage}' failed${where}: ${why}`);
    this.name = 'StageError';
  }
}
