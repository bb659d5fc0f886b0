/**
 * `ablation.arrow`: one row per cell (factors, seed, steps, held-out metrics, wall time, checkpoint sha256), the
 * grid record and provenance in the schema metadata. Strings are plain Utf8 columns (never dictionary-encoded).
 */
import { Field, Float64, Int32, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Utf8, vectorFromArray, type Data, type DataType } from 'apache-arrow';
import { provenanceMetadata, type Provenance } from '@vqrae/eval';
import { writeFileAtomic } from '@vqrae/graph';
import type { CellResult } from './cell-run.js';
import type { GridRecord } from './grid-file.js';

/** JSON keeps NaN as null: read it back as NaN. */
export const finite = (value: number | null | undefined): number => (typeof value === 'number' ? value : Number.NaN);

interface Column {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly unit?: string;
  readonly value: (r: CellResult) => string | number | null;
}

const nullIfNaN = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The columns of ablation.arrow, in file order. */
function columns(fdLabel: string): Column[] {
  const utf8 = (name: string, value: Column['value']): Column => ({ name, type: new Utf8(), nullable: false, value });
  const int = (name: string, value: Column['value']): Column => ({ name, type: new Int32(), nullable: false, value });
  const float = (name: string, unit: string, value: Column['value'], nullable = true): Column => ({ name, type: new Float64(), nullable, unit, value });
  return [
    utf8('cell', (r) => r.cell.name),
    utf8('quantizer', (r) => r.cell.quantizer),
    int('codebook_dim', (r) => r.cell.codebookDim),
    float('dim_fraction', 'of encoder width', (r) => r.cell.dimFraction),
    int('codebook_size', (r) => r.cell.codebookSize),
    int('seed', (r) => r.cell.seed),
    int('steps', (r) => r.steps),
    int('images', (r) => r.metrics.images),
    float('psnr', 'dB', (r) => nullIfNaN(finite(r.metrics.psnr))),
    float('ssim', '1 (torchmetrics)', (r) => nullIfNaN(finite(r.metrics.ssim))),
    float('fd', fdLabel, (r) => nullIfNaN(finite(r.metrics.fd))),
    utf8('fd_space', (r) => r.metrics.fdLabel),
    float('utilisation', 'fraction of codes used', (r) => nullIfNaN(finite(r.metrics.utilisation))),
    float('perplexity', 'codes', (r) => nullIfNaN(finite(r.metrics.perplexity))),
    int('codes_used', (r) => r.metrics.codesUsed),
    int('dead_codes', (r) => r.metrics.deadCodes),
    float('wall_s', 's', (r) => r.wallSeconds, false),
    int('resumed_from_step', (r) => r.resumedFromStep),
    utf8('checkpoint_sha256', (r) => r.metrics.checkpointSha256),
  ];
}

/** Writes `file` atomically: one row per result (in grid order), `vqrae.ablation_grid` + provenance metadata. */
export async function writeAblationTable(file: string, results: readonly CellResult[], record: GridRecord, provenance: Provenance): Promise<void> {
  const labels = [...new Set(results.map((r) => r.metrics.fdLabel))];
  const cols = columns(labels.length === 1 ? labels[0]! : 'FD in the space named by fd_space');
  const metadata = provenanceMetadata(provenance);
  metadata.set('vqrae.ablation_grid', JSON.stringify({ preset: record.preset, encoderWidth: record.encoderWidth, grid: record.grid, shared: record.shared }));
  const fields = cols.map((c) => new Field(c.name, c.type, c.nullable, c.unit ? new Map([['unit', c.unit]]) : undefined));
  const schema = new Schema(fields, metadata);
  const children: Data[] = cols.map((c) => vectorFromArray(results.map((r) => c.value(r)), c.type).data[0]!);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: results.length, nullCount: 0, children }));
  await writeFileAtomic(file, tableToIPC(new Table([batch]), 'file'));
}
