import * as arrow from 'apache-arrow';
import { integerCell, readArrowTable } from '@vqrae/data';
import { tokenDtypeFor } from '../dtype.js';

/**
 * Arrow layout of token dumps (one row per image):
 *   key: Utf8, shard: Utf8, tokens: FixedSizeList<Uint16>[N] (Int32 when the codebook has > 65536 codes),
 *   grid_h: Int32, grid_w: Int32, and optional pass-through columns label: Int32 (nullable), caption: Utf8
 *   (nullable), json: Utf8 (nullable).
 * Schema metadata carries provenance under `vqrae.*` keys (JSON strings).
 */
export interface TokenRow {
  readonly key: string;
  readonly shard: string;
  /** Row-major over the grid: token n = r·grid_w + c. */
  readonly tokens: Int32Array;
  /** `--augment` view that produced the row (`'none'`, `'flip'`, `'tencrop-0'` …); absent means `'none'`. */
  readonly aug?: string;
  readonly label?: number;
  readonly caption?: string;
  readonly json?: string;
}

/** What every file of one token dump shares: grid, codebook, pass-through columns, provenance metadata. */
export interface TokenTableLayout {
  readonly gridH: number;
  readonly gridW: number;
  readonly codebookSize: number;
  /** Which optional pass-through columns exist (fixed per dump so every file has one schema). */
  readonly passThrough: { readonly label: boolean; readonly caption: boolean; readonly json: boolean };
  readonly metadata: ReadonlyMap<string, string>;
}

function utf8Column(values: ReadonlyArray<string | null>): arrow.Vector<arrow.Utf8> {
  return arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8());
}

/** Builds one Arrow IPC *file* (random-access format) holding `rows`. */
export function encodeTokenTable(rows: readonly TokenRow[], layout: TokenTableLayout): Uint8Array {
  const n = layout.gridH * layout.gridW;
  const wide = tokenDtypeFor(layout.codebookSize) === 'int32';
  const itemType = wide ? new arrow.Int32() : new arrow.Uint16();
  const flat = wide ? new Int32Array(rows.length * n) : new Uint16Array(rows.length * n);
  rows.forEach((row, i) => {
    if (row.tokens.length !== n) throw new Error(`token table: row ${row.key} has ${row.tokens.length} tokens, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const t = row.tokens[j]!;
      if (t < 0 || t >= layout.codebookSize) throw new Error(`token table: row ${row.key} token ${t} outside [0, ${layout.codebookSize})`);
      flat[i * n + j] = t;
    }
  });
  const listType = new arrow.FixedSizeList(n, new arrow.Field('item', itemType, false));
  const child = arrow.makeData({ type: itemType, length: flat.length, data: flat });
  const tokens = arrow.makeVector(arrow.makeData({ type: listType, length: rows.length, nullCount: 0, child }));
  const columns: Record<string, arrow.Vector> = {
    key: utf8Column(rows.map((r) => r.key)),
    shard: utf8Column(rows.map((r) => r.shard)),
    tokens,
    grid_h: arrow.makeVector(new Int32Array(rows.length).fill(layout.gridH)),
    grid_w: arrow.makeVector(new Int32Array(rows.length).fill(layout.gridW)),
  };
  if (layout.passThrough.label) columns.label = arrow.vectorFromArray(rows.map((r) => r.label ?? null), new arrow.Int32());
  if (layout.passThrough.caption) columns.caption = utf8Column(rows.map((r) => r.caption ?? null));
  if (layout.passThrough.json) columns.json = utf8Column(rows.map((r) => r.json ?? null));
  const table = new arrow.Table(columns);
  const schema = new arrow.Schema(table.schema.fields, new Map(layout.metadata));
  const withMeta = new arrow.Table(schema, table.batches.map((b) => new arrow.RecordBatch(schema, b.data)));
  return arrow.tableToIPC(withMeta, 'file');
}

/**
 * Reads a token dump file back: rows with Int32Array tokens, plus the schema metadata. Accepts files written by other
 * tools too: tokens as a List or FixedSizeList of any integer width (numpy writes Int64), grid columns of any integer
 * width. Refuses, naming `source` and the row: bytes that are not (complete) Arrow, float tokens, null keys, shards or
 * token lists, null tokens, and token ids beyond Int32.
 */
export function decodeTokenTable(bytes: Uint8Array, source = 'token table'): { rows: TokenRow[]; gridH: number; gridW: number; metadata: Map<string, string> } {
  const table = readArrowTable(bytes, source);
  const keys = table.getChild('key');
  const shards = table.getChild('shard');
  const tokens = table.getChild('tokens');
  const gridH = table.getChild('grid_h');
  const gridW = table.getChild('grid_w');
  if (!keys || !shards || !tokens || !gridH || !gridW) {
    throw new Error(`${source}: not a token table, missing column(s) of key, shard, tokens, grid_h, grid_w; found ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  const listType = tokens.type as arrow.DataType;
  const itemType = arrow.DataType.isFixedSizeList(listType) || arrow.DataType.isList(listType) ? (listType.children[0]!.type as arrow.DataType) : undefined;
  if (!itemType || !arrow.DataType.isInt(itemType)) {
    throw new Error(`${source}: column 'tokens' holds ${String(listType)}; token ids must be integers (a List or FixedSizeList of Int8…Int64 / Uint8…Uint64)`);
  }
  const labels = table.getChild('label');
  const captions = table.getChild('caption');
  const jsons = table.getChild('json');
  const rows: TokenRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const key = textCell(keys.get(i), () => `${source}: row ${i}: 'key'`);
    const at = `${source}: row ${i} (key '${key}')`;
    const shard = textCell(shards.get(i), () => `${at}: 'shard'`);
    const list = tokens.get(i) as arrow.Vector | null;
    if (list === null) throw new Error(`${at}: 'tokens' is null`);
    const label = labels?.get(i) as unknown;
    const caption = captions?.get(i) as string | null | undefined;
    const json = jsons?.get(i) as string | null | undefined;
    rows.push({
      key,
      shard,
      tokens: tokenIds(list, at),
      ...(label != null ? { label: integerCell(label, () => `${at}: 'label'`) } : {}),
      ...(caption != null ? { caption } : {}),
      ...(json != null ? { json } : {}),
    });
  }
  const h = table.numRows > 0 ? integerCell(gridH.get(0), () => `${source}: row 0: 'grid_h'`) : 0;
  const w = table.numRows > 0 ? integerCell(gridW.get(0), () => `${source}: row 0: 'grid_w'`) : 0;
  return { rows, gridH: h, gridW: w, metadata: table.schema.metadata };
}

function textCell(value: unknown, describe: () => string): string {
  if (typeof value !== 'string') throw new Error(`${describe()} is ${value === null || value === undefined ? 'null' : typeof value}, expected a string`);
  return value;
}

/** One row's token list (any integer width, number or bigint values) as Int32 ids; nulls and overflow refused. */
function tokenIds(list: arrow.Vector, at: string): Int32Array {
  const values = list.toArray() as ArrayLike<number | bigint>;
  const out = new Int32Array(values.length);
  for (let j = 0; j < values.length; j++) {
    if (list.nullCount > 0 && !list.isValid(j)) throw new Error(`${at}: 'tokens'[${j}] is null`);
    const v = values[j]!;
    if (typeof v === 'bigint' ? v < -2147483648n || v > 2147483647n : v < -2147483648 || v > 2147483647) {
      throw new Error(`${at}: 'tokens'[${j}] = ${v} does not fit a token id (Int32)`);
    }
    out[j] = Number(v);
  }
  return out;
}
