import { executeGraph, type RunOptions } from './engine.js';
import type { RunSummary, Sink, Source, Stage } from './types.js';

/** The parts of a graph: one source, stages in order, one or more sinks (several = fan-out). */
export interface GraphSpec {
  readonly source: Source<unknown>;
  readonly stages: readonly Stage<unknown, unknown>[];
  readonly sinks: readonly Sink<unknown>[];
}

/**
 * source → stages → sinks. `run()` streams every item through with backpressure (a slow sink slows the source) and
 * resolves with the run summary; under `onError: 'throw'` it rejects with a StageError carrying the partial summary.
 * Build one with `Graph.from(source).pipe(stage)…to(sink, …)` or `new Graph({ source, stages, sinks })`.
 */
export class Graph {
  readonly spec: GraphSpec;

  constructor(spec: GraphSpec) {
    if (spec.sinks.length === 0) throw new Error('Graph: at least one sink is required');
    const names = [spec.source.name, ...spec.stages.map((s) => s.name), ...spec.sinks.map((s) => s.name)];
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throw new Error(`Graph: duplicate name '${duplicate}' (source, stage and sink names must be unique in a graph)`);
    }
    this.spec = spec;
  }

  /** Starts a typed builder at `source`. */
  static from<T>(source: Source<T>): GraphBuilder<T> {
    return new GraphBuilder<T>(source as Source<unknown>, []);
  }

  /** One line: `shards(eval-{000..003}.tar) → decode → resize(256, center) → { psnr | ssim | previews }`. */
  describe(): string {
    return describeGraph(this.spec);
  }

  /** Runs the graph once (the source is opened afresh each call). */
  run(options: RunOptions = {}): Promise<RunSummary> {
    return executeGraph(this.spec, this.describe(), options);
  }
}

/** Typed, immutable builder: each pipe() checks that the stage accepts what the previous one emits. */
export class GraphBuilder<T> {
  constructor(
    private readonly source: Source<unknown>,
    private readonly stages: readonly Stage<unknown, unknown>[],
  ) {}

  pipe<U>(stage: Stage<T, U>): GraphBuilder<U> {
    return new GraphBuilder<U>(this.source, [...this.stages, stage as unknown as Stage<unknown, unknown>]);
  }

  /** Ends the graph at one sink, or fans out to several (each sees every item; the slowest sets the pace). */
  to(...sinks: Sink<T>[]): Graph {
    return new Graph({ source: this.source, stages: this.stages, sinks: sinks as unknown as Sink<unknown>[] });
  }
}

/** The text of Graph.describe(). */
export function describeGraph(spec: GraphSpec): string {
  const sinks = spec.sinks.map((s) => s.describe());
  const tail = sinks.length === 1 ? sinks[0] : `{ ${sinks.join(' | ')} }`;
  return [spec.source.describe(), ...spec.stages.map((s) => s.describe()), tail].join(' → ');
}
