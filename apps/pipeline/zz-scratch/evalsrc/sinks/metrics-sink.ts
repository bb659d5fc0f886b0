import type { Sink, StageContext } from '@vqrae/graph';
import type { Schema } from 'apache-arrow';
import { AtomicArrowFile } from './atomic-arrow-file.js';
import { metricsBatch, metricsSchema, type MetricColumn, type MetricRow } from './metric-columns.js';
import type { Provenance } from './provenance.js';

/** Count, mean, min and max of one column over the finite values written (float64). */
export interface ColumnSummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** What {@link arrowMetricsSink} returns from `finish`. */
export interface MetricsFileResult {
  readonly path: string;
  readonly rows: number;
  /** Per column, over finite values only (nulls and NaN are counted in `rows` but not here). */
  readonly summary: Readonly<Record<string, ColumnSummary>>;
}

export interface ArrowMetricsSinkOptions {
  /** Final file path (`metrics.arrow`); written under a temporary name and renamed on finish. */
  readonly path: string;
  /** The metric columns, in file order; every row may only use these names. */
  readonly columns: readonly MetricColumn[];
  readonly provenance: Provenance;
  /** Rows per Arrow record batch (default 1024). */
  readonly batchRows?: number;
  /** Extra schema metadata (string → string), e.g. the protocol labels. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Sink name in the graph (default `metrics-arrow`). */
  readonly name?: string;
}

class ColumnAccumulator {
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  add(value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  summary(): ColumnSummary {
    return this.count === 0
      ? { count: 0, mean: Number.NaN, min: Number.NaN, max: Number.NaN }
      : { count: this.count, mean: this.sum / this.count, min: this.min, max: this.max };
  }
}

/**
 * Per-image metrics → one Arrow IPC file (`key`, `shard`, `index`, one Float64 per metric), written in record
 * batches of `batchRows`, provenance in the schema metadata, atomically renamed into place by `finish`; `abort`
 * removes the temporary file. Accepts single rows or arrays of rows (one per image of a batch).
 */
export function arrowMetricsSink(options: ArrowMetricsSinkOptions): Sink<MetricRow | readonly MetricRow[], MetricsFileResult> {
  const batchRows = options.batchRows ?? 1024;
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new Error(`arrowMetricsSink: batchRows must be a positive integer, got ${batchRows}`);
  const name = options.name ?? 'metrics-arrow';
  const schema: Schema = metricsSchema(options.columns, options.provenance, options.metadata);
  const accumulators = new Map(options.columns.map((c) => [c.name, new ColumnAccumulator()]));
  let file: AtomicArrowFile | undefined;
  let pending: MetricRow[] = [];
  let rows = 0;

  const flush = (): void => {
    if (pending.length === 0) return;
    file ??= new AtomicArrowFile(options.path, schema);
    file.write(metricsBatch(schema, options.columns, pending));
    pending = [];
  };

  return {
    name,
    describe: () => `${name}(${options.path}; ${options.columns.map((c) => c.name).join(', ')})`,
    write(item: MetricRow | readonly MetricRow[], _ctx: StageContext): void {
      const items: readonly MetricRow[] = Array.isArray(item) ? (item as readonly MetricRow[]) : [item as MetricRow];
      for (const row of items) {
        for (const column of options.columns) accumulators.get(column.name)!.add(row.values[column.name]);
        pending.push(row);
        rows += 1;
        if (pending.length >= batchRows) flush();
      }
    },
    async finish(): Promise<MetricsFileResult> {
      flush();
      file ??= new AtomicArrowFile(options.path, schema);
      await file.close();
      const summary: Record<string, ColumnSummary> = {};
      for (const [column, acc] of accumulators) summary[column] = acc.summary();
      return { path: options.path, rows, summary };
    },
    async abort(): Promise<void> {
      pending = [];
      await file?.abort();
    },
  };
}
