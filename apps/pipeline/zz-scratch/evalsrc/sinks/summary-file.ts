import { Field, Float64, makeData, RecordBatch, Schema, Struct, Utf8, vectorFromArray } from 'apache-arrow';
import { AtomicArrowFile } from './atomic-arrow-file.js';
import type { MetricColumn } from './metric-columns.js';
import { provenanceMetadata, type Provenance } from './provenance.js';

/** One summary value (e.g. mean PSNR, rFID) with its column description. */
export interface SummaryValue extends MetricColumn {
  readonly value: number;
}

/**
 * Writes a one-row Arrow summary file: `run` (Utf8) then one Float64 column per value (unit and label in the field
 * metadata), provenance in the schema metadata. One row per run, so summaries of many runs concatenate.
 */
export async function writeSummaryArrow(path: string, run: string, values: readonly SummaryValue[], provenance: Provenance): Promise<void> {
  const seen = new Set<string>(['run']);
  for (const v of values) {
    if (seen.has(v.name)) throw new Error(`writeSummaryArrow(${path}): duplicate column '${v.name}'`);
    seen.add(v.name);
  }
  const fieldMeta = (v: SummaryValue): Map<string, string> => {
    const m = new Map<string, string>();
    if (v.unit !== undefined) m.set('unit', v.unit);
    if (v.label !== undefined) m.set('label', v.label);
    return m;
  };
  const schema = new Schema(
    [new Field('run', new Utf8(), false), ...values.map((v) => new Field(v.name, new Float64(), true, fieldMeta(v)))],
    provenanceMetadata(provenance),
  );
  const children = [
    vectorFromArray([run], new Utf8()).data[0]!,
    ...values.map((v) => vectorFromArray([v.value], new Float64()).data[0]!),
  ];
  const file = new AtomicArrowFile(path, schema);
  try {
    file.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 1, nullCount: 0, children })));
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.close();
}

/**
 * Summary values from a metrics sink's per-column summaries: `<column>_mean` for each column (unit and label
 * carried over) plus `n_images` (rows written). Feed the result to {@link writeSummaryArrow} or a printer.
 */
export function summaryValuesFromColumns(
  columns: readonly MetricColumn[],
  summary: Readonly<Record<string, { readonly count: number; readonly mean: number }>>,
  rows: number,
): SummaryValue[] {
  const values: SummaryValue[] = [{ name: 'n_images', value: rows, unit: 'images' }];
  for (const column of columns) {
    const s = summary[column.name];
    if (!s) throw new Error(`summaryValuesFromColumns: no summary for column '${column.name}'`);
    const label = `mean over ${s.count} images${column.label ? `; ${column.label}` : ''}`;
    values.push({ name: `${column.name}_mean`, value: s.mean, ...(column.unit === undefined ? {} : { unit: column.unit }), label });
  }
  return values;
}
