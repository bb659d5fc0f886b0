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

/**
 * Counters kept per stage, all counted in INPUT items: `seen = emitted + skipped + dropped` holds for every helper
 * stage (map, asyncMap, filter, flatMap, batch) and is asserted in tests.
 * - map / asyncMap: emitted = items that produced an output; `outputs === emitted`.
 * - filter: dropped = items the predicate rejected (not an error).
 * - flatMap: emitted = items expanded without error (into any number of outputs); `outputs` counts the outputs.
 * - batch: emitted = items that left inside a batch; dropped = the partial tail under `dropLast`;
 *   `outputs` counts the batches.
 */
export interface StageCounters {
  seen: number;
  emitted: number;
  skipped: number;
  /** Items intentionally not passed on (filter rejections, the partial tail of a drop-last batcher). */
  dropped: number;
  errors: number;
  /** Values this stage yielded downstream (batches for a batcher, expansions for flatMap). */
  outputs: number;
  /**
   * Time spent inside this stage's own work, milliseconds, summed over items: with concurrency > 1 it can exceed the
   * wall time of the run.
   */
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

/**
 * A named, describable transform from a stream of In to a stream of Out.
 *
 * `run` is the plain async-iterable form (usable and testable without highland). Stages made by the helper factories
 * (mapStage, asyncMapStage, ...) also register a highland form (see `highlandFormOf`), which the Graph engine uses so
 * that highland does ordering, bounded parallelism and backpressure. A custom stage implements `run` only: the engine
 * adapts it (pull-based, so backpressure still holds) and counts `seen`/`outputs` for it.
 */
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

/** What a sink reported at the end of a run. */
export interface SinkSummary {
  readonly name: string;
  /** Items the sink's write() accepted. */
  written: number;
  /** finish()'s return value (undefined when the run failed or was cancelled, or the sink has no finish). */
  result: unknown;
  busyMs: number;
}

/** The first fatal error of a failed run, as plain data (summary.json). */
export interface RunFailure {
  readonly stage: string;
  readonly key?: string;
  readonly shard?: string;
  readonly message: string;
}

export interface SkipRecord {
  readonly stage: string;
  readonly key?: string;
  readonly shard?: string;
  readonly reason: string;
}

export interface RunSummary {
  readonly description: string;
  /** 'ok' | 'cancelled' (the signal fired: source stopped, in-flight items drained) | 'failed' (an error under throw). */
  readonly status: 'ok' | 'cancelled' | 'failed';
  /** Items pulled from the source. */
  readonly sourceItems: number;
  readonly stages: readonly StageSummary[];
  readonly sinks: readonly SinkSummary[];
  readonly skips: readonly SkipRecord[];
  readonly wallMs: number;
  readonly cancelled: boolean;
  readonly failure?: RunFailure;
}

/**
 * Error raised under `onError: 'throw'`; its message names the stage and the sample's key and shard. A Graph run
 * rejects with a StageError for every failure (stage, source or sink) and attaches the partial run summary.
 */
export class StageError extends Error {
  /** Set by Graph.run(): the summary of the run up to the failure. */
  summary?: RunSummary;

  constructor(
    readonly stage: string,
    readonly meta: SampleMeta | undefined,
    override readonly cause: unknown,
    /** For a batch: the metadata of every sample in it (the message lists their keys). */
    readonly batchMetas?: readonly SampleMeta[],
  ) {
    super(`stage '${stage}' failed${describeWhere(meta, batchMetas)}: ${causeMessage(cause)}`);
    this.name = 'StageError';
  }
}

function causeMessage(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function describeWhere(meta: SampleMeta | undefined, batchMetas: readonly SampleMeta[] | undefined): string {
  if (meta) return ` (key ${meta.key}, shard ${meta.shard}, index ${meta.index})`;
  if (!batchMetas || batchMetas.length === 0) return '';
  const keys = batchMetas.slice(0, 4).map((m) => m.key).join(', ') + (batchMetas.length > 4 ? ', …' : '');
  const shards = [...new Set(batchMetas.map((m) => m.shard))].join(', ');
  return ` (batch of ${batchMetas.length}: keys ${keys}; shard ${shards})`;
}
