import * as arrow from 'apache-arrow';

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
  readonly label?: number;
  readonly caption?: string;
  readonly json?: string;
}

export interface TokenTableLayout {
  readonly gridH: number;
  readonly gridW: number;
  readonly codebookSize: number;
  /** Which optional pass-through columns exist (fixed per dump so every file has one schema). */
  readonly passThrough: { readonly label: boolean; readonly caption: boolean; readonly json: boolean };
  readonly metadata: ReadonlyMap<string, string>;
}

export function tokenDtype(codebookSize: number): 'uint16' | 'int32' {
  return codebookSize <= 65536 ? 'uint16' : 'int32';
}

function utf8Column(values: ReadonlyArray<string | null>): arrow.Vector<arrow.Utf8> {
  return arrow.vectorFromArray(values as (string | null)[], new arrow.Utf8());
}

/** Builds one Arrow IPC *file* (random-access format) holding `rows`. */
export function encodeTokenTable(rows: readonly TokenRow[], layout: TokenTableLayout): Uint8Array {
  const n = layout.gridH * layout.gridW;
  const wide = tokenDtype(layout.codebookSize) === 'int32';
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

/** Reads a token dump file back: rows with Int32Array tokens, plus the schema metadata. */
export function decodeTokenTable(bytes: Uint8Array): { rows: TokenRow[]; gridH: number; gridW: number; metadata: Map<string, string> } {
  const table = arrow.tableFromIPC(bytes);
  const keys = table.getChild('key');
  const shards = table.getChild('shard');
  const tokens = table.getChild('tokens');
  const gridH = table.getChild('grid_h');
  const gridW = table.getChild('grid_w');
  if (!keys || !shards || !tokens || !gridH || !gridW) {
    throw new Error(`token table: missing column(s); found ${table.schema.fields.map((f) => f.name).join(', ')}`);
  }
  const labels = table.getChild('label');
  const captions = table.getChild('caption');
  const jsons = table.getChild('json');
  const rows: TokenRow[] = [];
  for (let i = 0; i < table.numRows; i++) {
    const list = tokens.get(i) as arrow.Vector;
    const label = labels?.get(i) as number | null | undefined;
    const caption = captions?.get(i) as string | null | undefined;
    const json = jsons?.get(i) as string | null | undefined;
    rows.push({
      key: keys.get(i) as string,
      shard: shards.get(i) as string,
      tokens: Int32Array.from(list.toArray() as ArrayLike<number>),
      ...(label != null ? { label } : {}),
      ...(caption != null ? { caption } : {}),
      ...(json != null ? { json } : {}),
    });
  }
  const h = table.numRows > 0 ? (gridH.get(0) as number) : 0;
  const w = table.numRows > 0 ? (gridW.get(0) as number) : 0;
  return { rows, gridH: h, gridW: w, metadata: table.schema.metadata };
}
