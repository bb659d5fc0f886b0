import * as arrow from 'apache-arrow';
import type { SideFields } from '../side-fields.js';

/**
 * Arrow layout of feature dumps (understanding path, Z_I): key, shard, features: FixedSizeList<Float16|Float32>
 * [N·d] (per-token, row-major tokens then channels) or [d] (mean-pooled), tokens (N, or 1 when pooled), dim (d),
 * grid_h, grid_w, and the same optional pass-through columns as token dumps.
 */
export interface FeatureRow extends SideFields {
  readonly key: string;
  readonly shard: string;
  readonly features: Float32Array;
}

export interface FeatureTableLayout {
  readonly tokens: number;
  readonly dim: number;
  readonly gridH: number;
  readonly gridW: number;
  readonly dtype: 'f16' | 'f32';
  readonly passThrough: { readonly label: boolean; readonly caption: boolean; readonly json: boolean };
  readonly metadata: ReadonlyMap<string, string>;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a float32, round to nearest even (overflow → ±Inf, NaN kept). */
export function float32ToFloat16Bits(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1))) half += 1;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half += 1;
  e = half >>> 10;
  return sign | half;
}

export function encodeFeatureTable(rows: readonly FeatureRow[], layout: FeatureTableLayout): Uint8Array {
  const width = layout.tokens * layout.dim;
  const itemType = layout.dtype === 'f16' ? new arrow.Float16() : new arrow.Float32();
  const flat = layout.dtype === 'f16' ? new Uint16Array(rows.length * width) : new Float32Array(rows.length * width);
  rows.forEach((row, i) => {
    if (row.features.length !== width) throw new Error(`feature table: row ${row.key} has ${row.features.length} values, expected ${width}`);
    if (flat instanceof Uint16Array) for (let j = 0; j < width; j++) flat[i * width + j] = float32ToFloat16Bits(row.features[j]!);
    else flat.set(row.features, i * width);
  });
  const listType = new arrow.FixedSizeList(width, new arrow.Field('item', itemType, false));
  const child = arrow.makeData({ type: itemType, length: flat.length, data: flat });
  const int = (v: number) => arrow.makeVector(new Int32Array(rows.length).fill(v));
  const utf8 = (values: ReadonlyArray<string | null>) => arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8());
  const columns: Record<string, arrow.Vector> = {
    key: utf8(rows.map((r) => r.key)),
    shard: utf8(rows.map((r) => r.shard)),
    features: arrow.makeVector(arrow.makeData({ type: listType, length: rows.length, nullCount: 0, child })),
    tokens: int(layout.tokens),
    dim: int(layout.dim),
    grid_h: int(layout.gridH),
    grid_w: int(layout.gridW),
  };
  if (layout.passThrough.label) columns.label = arrow.vectorFromArray(rows.map((r) => r.label ?? null), new arrow.Int32());
  if (layout.passThrough.caption) columns.caption = utf8(rows.map((r) => r.caption ?? null));
  if (layout.passThrough.json) columns.json = utf8(rows.map((r) => r.json ?? null));
  const table = new arrow.Table(columns);
  const schema = new arrow.Schema(table.schema.fields, new Map(layout.metadata));
  return arrow.tableToIPC(new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data))), 'file');
}
