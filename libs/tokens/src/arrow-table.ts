import * as arrow from 'apache-arrow';
import { assertIdsInRange, tokenDtypeFor } from './dtype.js';
import type { TokenSequence, TokenWriterConfig } from './types.js';

/**
 * Arrow layout of token sequences (one row per sequence), shared by the `arrow` and `parquet` formats:
 *   key: Utf8, shard: Utf8, tokens: FixedSizeList<Uint16|Int32>[h·w] (bare codes) or List<Uint16|Int32> (when ids
 *   carry offset/specials/captions/packing), grid_h: Int32, grid_w: Int32; then optional columns fixed per dump:
 *   label: Int32, caption: Utf8, json: Utf8 (side members), aug: Utf8 (`--augment`), codes: List<Int32> and
 *   doc_starts: List<Int32> (nullable, when ids are not the bare codes).
 * With nothing configured this is byte-for-byte the historical token dump layout. Schema metadata = provenance.
 */
export function sequencesToArrowTable(sequences: readonly TokenSequence[], config: TokenWriterConfig): arrow.Table {
  const [h, w] = config.grid;
  const wide = tokenDtypeFor(config.vocabSize) === 'int32';
  const itemType = wide ? new arrow.Int32() : new arrow.Uint16();
  const total = sequences.reduce((n, s) => n + s.ids.length, 0);
  const flat = wide ? new Int32Array(total) : new Uint16Array(total);
  let at = 0;
  for (const s of sequences) {
    if (!config.withCodes && s.ids.length !== h * w) throw new Error(`token table: row ${s.key} has ${s.ids.length} tokens, expected ${h * w}`);
    assertIdsInRange(s.ids, config.vocabSize, `token table: row ${s.key}`);
    flat.set(s.ids, at);
    at += s.ids.length;
  }
  const child = arrow.makeData({ type: itemType, length: flat.length, data: flat });
  const itemField = new arrow.Field('item', itemType, false);
  const tokens = config.withCodes
    ? arrow.makeVector(arrow.makeData({ type: new arrow.List(itemField), length: sequences.length, nullCount: 0, valueOffsets: offsetsOf(sequences.map((s) => s.ids.length)), child }))
    : arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(h * w, itemField), length: sequences.length, nullCount: 0, child }));
  const columns: Record<string, arrow.Vector> = {
    key: utf8(sequences.map((s) => s.key)),
    shard: utf8(sequences.map((s) => s.shard)),
    tokens,
    grid_h: arrow.makeVector(new Int32Array(sequences.length).fill(h)),
    grid_w: arrow.makeVector(new Int32Array(sequences.length).fill(w)),
  };
  if (config.side.cls) columns.label = arrow.vectorFromArray(sequences.map((s) => s.side.cls ?? null), new arrow.Int32());
  if (config.side.txt) columns.caption = utf8(sequences.map((s) => s.side.txt ?? null));
  if (config.side.json) columns.json = utf8(sequences.map((s) => s.side.json ?? null));
  if (config.withAug) columns.aug = utf8(sequences.map((s) => s.aug));
  if (config.withCodes) {
    columns.codes = int32Lists(sequences.map((s) => s.codes));
    columns.doc_starts = int32Lists(sequences.map((s) => s.docStarts));
  }
  const table = new arrow.Table(columns);
  const schema = new arrow.Schema(table.schema.fields, new Map(config.metadata));
  return new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
}

function utf8(values: ReadonlyArray<string | null>): arrow.Vector<arrow.Utf8> {
  return arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8());
}

function offsetsOf(lengths: readonly number[]): Int32Array {
  const offsets = new Int32Array(lengths.length + 1);
  lengths.forEach((n, i) => (offsets[i + 1] = offsets[i]! + n));
  return offsets;
}

/** A nullable List<Int32> column (null where the sequence has no such array). */
function int32Lists(values: ReadonlyArray<Int32Array | undefined>): arrow.Vector {
  const type = new arrow.List(new arrow.Field('item', new arrow.Int32(), false));
  const flat = new Int32Array(values.reduce((n, v) => n + (v?.length ?? 0), 0));
  let at = 0;
  for (const v of values) {
    if (!v) continue;
    flat.set(v, at);
    at += v.length;
  }
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const nullCount = values.filter((v) => !v).length;
  const child = arrow.makeData({ type: new arrow.Int32(), length: flat.length, data: flat });
  return arrow.makeVector(arrow.makeData({ type, length: values.length, nullCount, nullBitmap, valueOffsets: offsetsOf(values.map((v) => v?.length ?? 0)), child }));
}

/**
 * Reads sequences back from an Arrow table of the layout above (tokens as List or FixedSizeList of any integer width,
 * as polars/pyarrow may widen them). Errors name `source` and the row.
 */
export function arrowTableToSequences(table: arrow.Table, source: string): TokenSequence[] {
  const col = (name: string): arrow.Vector | null => table.getChild(name);
  const keys = col('key');
  const shards = col('shard');
  const tokens = col('tokens');
  const gridH = col('grid_h');
  const gridW = col('grid_w');
  if (!keys || !shards || !tokens || !gridH || !gridW) {
    throw new Error(`${source}: not a token table, missing column(s) of key, shard, tokens, grid_h, grid_w; found ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  const out: TokenSequence[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const key = String(keys.get(i));
    const at = `${source}: row ${i} (key '${key}')`;
    const ids = intList(tokens.get(i), `${at}: 'tokens'`);
    if (ids === undefined) throw new Error(`${at}: 'tokens' is null`);
    const codes = intList(col('codes')?.get(i), `${at}: 'codes'`);
    const docStarts = intList(col('doc_starts')?.get(i), `${at}: 'doc_starts'`);
    const label = col('label')?.get(i) as number | bigint | null | undefined;
    const caption = col('caption')?.get(i) as string | null | undefined;
    const json = col('json')?.get(i) as string | null | undefined;
    out.push({
      key,
      shard: String(shards.get(i)),
      aug: (col('aug')?.get(i) as string | null | undefined) ?? 'none',
      ids,
      ...(codes ? { codes } : {}),
      ...(docStarts ? { docStarts } : {}),
      grid: [Number(gridH.get(i)), Number(gridW.get(i))],
      side: { ...(label != null ? { cls: Number(label) } : {}), ...(caption != null ? { txt: caption } : {}), ...(json != null ? { json } : {}) },
    });
  }
  return out;
}

function intList(value: unknown, where: string): Int32Array | undefined {
  if (value === null || value === undefined) return undefined;
  const list = value as arrow.Vector;
  const values = list.toArray() as ArrayLike<number | bigint>;
  return Int32Array.from({ length: values.length }, (_, j) => {
    const v = values[j]!;
    if (typeof v === 'number' ? !Number.isInteger(v) : false) throw new Error(`${where}[${j}] = ${v} is not an integer token id`);
    if (v < -2147483648 || v > 2147483647) throw new Error(`${where}[${j}] = ${v} does not fit a token id (Int32)`);
    return Number(v);
  });
}
