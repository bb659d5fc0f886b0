/// <reference types="highland" />
import { performance } from 'node:perf_hooks';
import { fromHighland, toHighland } from './highland-io.js';
import { stageErrorFor } from './item-meta.js';
import { highlandFormOf } from './stage-base.js';
import { quietProgress, type ProgressReporter } from './progress.js';
import { createStageContext, silentLogger } from './stage-context.js';
import { StageError } from './types.js';
import type { Logger, RunSummary, SinkSummary, SkipRecord, Stage, StageContext } from './types.js';
import type { GraphSpec } from './graph.js';

/** Options of Graph.run(). */
export interface RunOptions {
  /** Cancels the run: the source stops, in-flight items drain to the sinks, sinks get abort(); status 'cancelled'. */
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  /** Ticked once per item pulled from the source. */
  readonly progress?: ProgressReporter;
  /** Called with every skip as it happens (the summary lists them all at the end), e.g. to account per shard. */
  readonly onSkip?: (record: SkipRecord) => void;
}

/**
 * Runs a graph on highland: the source is pulled one item per demand, each stage's highland form (`through`) is
 * chained, sinks are fed by highland `fork()`s created before consumption starts (so backpressure is shared: the
 * slowest sink sets the pace), and each sink is driven by a plain async loop.
 */
export async function executeGraph(spec: GraphSpec, description: string, options: RunOptions): Promise<RunSummary> {
  const started = performance.now();
  const log = options.log ?? silentLogger;
  const progress = options.progress ?? quietProgress;
  const userSignal = options.signal ?? new AbortController().signal;
  const failed = new AbortController();
  const runSignal = AbortSignal.any([userSignal, failed.signal]);
  const skips: SkipRecord[] = [];
  let failure: StageError | undefined;
  const fail = (error: unknown, stage: string): void => {
    failure ??= error instanceof StageError ? error : new StageError(stage, undefined, error);
    failed.abort(failure);
  };
  const contextFor = (name: string): StageContext => createStageContext({ name, signal: runSignal, log, onSkip: (r) => {
    skips.push(r);
    options.onSkip?.(r);
  } });

  const pump = sourcePump(spec, runSignal, () => progress.tick());
  let stream: Highland.Stream<unknown> = toHighland(pump.items);
  const stageContexts = spec.stages.map((stage) => {
    const ctx = contextFor(stage.name);
    const highlandForm = highlandFormOf(stage);
    stream = highlandForm ? highlandForm(stream, ctx) : adaptCustomStage(stage, stream, ctx);
    return ctx;
  });

  // Fan-out: every fork must exist before anything pulls (forking a stream already being consumed deadlocks).
  const branches = spec.sinks.length === 1 ? [stream] : spec.sinks.map(() => stream.fork());
  const sinkStats: SinkSummary[] = spec.sinks.map((s) => ({ name: s.name, written: 0, result: undefined, busyMs: 0 }));
  const sinkContexts = spec.sinks.map((s) => contextFor(s.name));

  progress.start(spec.source.length);
  const consumers = spec.sinks.map(async (sink, i) => {
    const stats = sinkStats[i];
    try {
      for await (const item of fromHighland(branches[i], failed.signal)) {
        const t0 = performance.now();
        try {
          await sink.write(item, sinkContexts[i]);
        } catch (error) {
          throw stageErrorFor(sink.name, item, error);
        } finally {
          stats.busyMs += performance.now() - t0;
        }
        stats.written += 1;
      }
    } catch (error) {
      fail(error, sink.name);
    }
  });
  await Promise.all(consumers);
  pump.close();
  progress.stop();

  const cancelled = failure === undefined && userSignal.aborted;
  await Promise.all(
    spec.sinks.map(async (sink, i) => {
      if (failure === undefined && !cancelled) {
        try {
          sinkStats[i].result = await sink.finish?.(sinkContexts[i]);
        } catch (error) {
          fail(stageErrorFor(sink.name, undefined, error), sink.name);
        }
        return;
      }
      try {
        await sink.abort?.(failure ?? userSignal.reason, sinkContexts[i]);
      } catch (error) {
        log.warn(`sink '${sink.name}' abort failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );

  const summary: RunSummary = {
    description,
    status: failure ? 'failed' : cancelled ? 'cancelled' : 'ok',
    sourceItems: pump.count(),
    stages: spec.stages.map((stage, i) => ({ name: stage.name, description: stage.describe(), ...stageContexts[i].counters })),
    sinks: sinkStats,
    skips,
    wallMs: performance.now() - started,
    cancelled,
    ...(failure ? { failure: { stage: failure.stage, key: failure.meta?.key, shard: failure.meta?.shard, message: failure.message } } : {}),
  };
  if (failure) {
    failure.summary = summary;
    throw failure;
  }
  return summary;
}

interface SourcePump {
  readonly items: AsyncIterable<unknown>;
  count(): number;
  close(): void;
}

/** Pulls the source until it ends or the run signal fires (cancel or failure); source errors become StageErrors. */
function sourcePump(spec: GraphSpec, signal: AbortSignal, onItem: () => void): SourcePump {
  const name = spec.source.name;
  let pulled = 0;
  let iterator: AsyncIterator<unknown> | undefined;
  async function* items(): AsyncGenerator<unknown> {
    iterator = spec.source.open(signal)[Symbol.asyncIterator]();
    while (!signal.aborted) {
      let result: IteratorResult<unknown> | 'stopped';
      try {
        result = await untilAborted(iterator.next(), signal);
      } catch (error) {
        throw new StageError(name, undefined, error);
      }
      if (result === 'stopped' || result.done) return;
      pulled += 1;
      onItem();
      yield result.value;
    }
  }
  return {
    items: items(),
    count: () => pulled,
    close: () => {
      void iterator?.return?.()?.catch(() => {});
    },
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | 'stopped'> {
  if (signal.aborted) return Promise.resolve('stopped');
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve('stopped');
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Runs a stage that only has the async-iterable form; counts `seen` and `outputs` for it. */
function adaptCustomStage(stage: Stage<unknown, unknown>, input: Highland.Stream<unknown>, ctx: StageContext): Highland.Stream<unknown> {
  async function* counted(): AsyncGenerator<unknown> {
    for await (const item of fromHighland(input)) {
      ctx.counters.seen += 1;
      yield item;
    }
  }
  async function* outputs(): AsyncGenerator<unknown> {
    try {
      for await (const out of stage.run(counted(), ctx)) {
        ctx.counters.outputs += 1;
        yield out;
      }
    } catch (error) {
      throw stageErrorFor(stage.name, undefined, error);
    }
  }
  return toHighland(outputs());
}
