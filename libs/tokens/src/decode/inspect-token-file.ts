import { readTokenFile } from '../read-token-files.js';
import type { TokenSequence } from '../types.js';

/** What `vqrae inspect` prints for a token file of a non-Arrow format (Parquet, Megatron, WebDataset, JSONL). */
export interface TokenInspection {
  readonly file: string;
  readonly format: string;
  readonly fields: ReadonlyArray<{ name: string; type: string }>;
  readonly metadata: Record<string, string>;
  readonly rows: number;
  readonly preview: ReadonlyArray<Record<string, unknown>>;
}

function ids(values: Int32Array): string {
  const shown = Array.from(values.subarray(0, 12));
  return values.length > 12 ? `[${shown.join(', ')}, … (${values.length} values)]` : `[${shown.join(', ')}]`;
}

function previewRow(s: TokenSequence): Record<string, unknown> {
  return {
    key: s.key,
    shard: s.shard,
    aug: s.aug,
    tokens: ids(s.ids),
    grid: `${s.grid[0]}x${s.grid[1]}`,
    ...(s.codes ? { codes: ids(s.codes) } : {}),
    ...(s.docStarts ? { doc_starts: ids(s.docStarts) } : {}),
    ...s.side,
  };
}

/** Reads the token file (Megatron: `.bin`, `.idx` or prefix) and describes its rows, provenance and first rows. */
export async function inspectTokenFile(file: string, rows: number): Promise<TokenInspection> {
  const read = await readTokenFile(file);
  const first = read.sequences[0];
  const fields = first ? Object.keys(previewRow(first)).map((name) => ({ name, type: name === 'tokens' || name === 'codes' || name === 'doc_starts' ? 'int ids' : typeof previewRow(first)[name] })) : [];
  return {
    file,
    format: read.format,
    fields,
    metadata: Object.fromEntries(read.metadata),
    rows: read.sequences.length,
    preview: read.sequences.slice(0, rows).map(previewRow),
  };
}
