import { Field, Float64, Int32, makeData, makeVector, RecordBatch, Schema, Struct, Utf8, vectorFromArray, type Data } from 'apache-arrow';
import type { SampleMeta } from '@vqrae/graph';
import { provenanceMetadata, type Provenance } from './provenance.js';

/** One numeric metric column: name as written in the file, unit and protocol label for readers and reports. */
export interface MetricColumn {
  readonly name: string;
  /** e.g. `dB` for PSNR, `1` for SSIM. */
  readonly unit?: string;
  /** How it was computed, e.g. `torchmetrics SSIM, gaussian 11x11 σ1.5, data_range 1, border full`. */
  readonly label?: string;
}

/** One image's metrics: its sample metadata and one value per declared column (`null` = not computed). */
export interface MetricRow {
  readonly meta: SampleMeta;
  readonly values: Readonly<Record<string, number | null>>;
}

/** Columns every per-image file starts with. */
export const METRIC_KEY_COLUMNS = ['key', 'shard', 'index'] as const;

/** Schema-metadata key listing the metric columns with units and labels (JSON). */
export const METRIC_COLUMNS_METADATA_KEY = 'vqrae.metric_columns';

/**
 * Arrow schema of a per-image metrics file: `key`, `shard` (Utf8, never dictionary-encoded), `index` (Int32), then
 * one nullable Float64 per metric, units/labels in field metadata and provenance in the schema metadata.
 */
export function metricsSchema(columns: readonly MetricColumn[], provenance: Provenance, extraMetadata: Readonly<Record<string, string>> = {}): Schema {
  const names = new Set<string>(METRIC_KEY_COLUMNS);
  for (const column of columns) {
    if (names.has(column.name)) throw new Error(`metricsSchema: duplicate or reserved column name '${column.name}'`);
    names.add(column.name);
  }
  const fields = [
    new Field('key', new Utf8(), false),
    new Field('shard', new Utf8(), false),
    new Field('index', new Int32(), false),
    ...columns.map((c) => new Field(c.name, new Float64(), true, columnFieldMetadata(c))),
  ];
  const metadata = provenanceMetadata(provenance);
  metadata.set(METRIC_COLUMNS_METADATA_KEY, JSON.stringify(columns));
  for (const [k, v] of Object.entries(extraMetadata)) metadata.set(k, v);
  return new Schema(fields, metadata);
}

function columnFieldMetadata(column: MetricColumn): Map<string, string> {
  const m = new Map<string, string>();
  if (column.unit !== undefined) m.set('unit', column.unit);
  if (column.label !== undefined) m.set('label', column.label);
  return m;
}

/** Builds one record batch of rows on `schema` (column order from the schema); throws naming the row's key. */
export function metricsBatch(schema: Schema, columns: readonly MetricColumn[], rows: readonly MetricRow[]): RecordBatch {
  const known = new Set(columns.map((c) => c.name));
  for (const row of rows) {
    for (const name of Object.keys(row.values)) {
      if (!known.has(name)) {
        throw new Error(`metrics row (key ${row.meta.key}, shard ${row.meta.shard}): unknown column '${name}' (declared: ${[...known].join(', ')})`);
      }
    }
  }
  const children: Data[] = [
    vectorFromArray(rows.map((r) => r.meta.key), new Utf8()).data[0]!,
    vectorFromArray(rows.map((r) => r.meta.shard), new Utf8()).data[0]!,
    makeVector(Int32Array.from(rows.map((r) => r.meta.index))).data[0]!,
    ...columns.map((c) => vectorFromArray(rows.map((r) => r.values[c.name] ?? null), new Float64()).data[0]!),
  ];
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
}
