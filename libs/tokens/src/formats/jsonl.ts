import { assertIdsInRange } from '../dtype.js';
import { decodeSidecar, encodeSidecar, SIDECAR_EXTENSION } from '../sidecar.js';
import type { TokenSequence, TokenShardWriter, TokenWriterConfig } from '../types.js';

/**
 * `jsonl`: one JSON object per line, `{"key", "shard", "tokens": [ids…], "grid": [h, w]}` plus, when present,
 * `aug`, `codes`, `doc_starts`, `cls`, `txt`, `json`. Provenance in the `<base>.jsonl.meta.json` sidecar.
 */
export function jsonlWriter(config: TokenWriterConfig): TokenShardWriter {
  const lines: string[] = [];
  const sequences: TokenSequence[] = [];
  return {
    format: 'jsonl',
    extensions: ['.jsonl', `.jsonl${SIDECAR_EXTENSION}`],
    add: (s) => {
      assertIdsInRange(s.ids, config.vocabSize, `jsonl: sequence ${s.key}`);
      sequences.push(s);
      lines.push(JSON.stringify({
        key: s.key,
        shard: s.shard,
        ...(config.withAug ? { aug: s.aug } : {}),
        tokens: Array.from(s.ids),
        grid: s.grid,
        ...(s.codes ? { codes: Array.from(s.codes) } : {}),
        ...(s.docStarts ? { doc_starts: Array.from(s.docStarts) } : {}),
        ...s.side,
      }));
    },
    finish: async () => [
      { name: `${config.baseName}.jsonl`, bytes: new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')) },
      { name: `${config.baseName}.jsonl${SIDECAR_EXTENSION}`, bytes: encodeSidecar('jsonl', config, sequences) },
    ],
  };
}

/** Reads a JSONL token file; errors name the file and line. `sidecar` (optional) supplies the provenance. */
export function readJsonlSequences(bytes: Uint8Array, source: string, sidecar?: Uint8Array): { sequences: TokenSequence[]; metadata: Map<string, string> } {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  const sequences: TokenSequence[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const at = `${source}: line ${i + 1}`;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`${at}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    const ids = intArray(row.tokens, `${at}: 'tokens'`);
    if (typeof row.key !== 'string' || !ids) throw new Error(`${at}: needs a string 'key' and an integer array 'tokens'`);
    const grid = intArray(row.grid, `${at}: 'grid'`);
    const codes = intArray(row.codes, `${at}: 'codes'`);
    const docStarts = intArray(row.doc_starts, `${at}: 'doc_starts'`);
    sequences.push({
      key: row.key,
      shard: typeof row.shard === 'string' ? row.shard : '',
      aug: typeof row.aug === 'string' ? row.aug : 'none',
      ids,
      ...(codes ? { codes } : {}),
      ...(docStarts ? { docStarts } : {}),
      grid: grid && grid.length === 2 ? [grid[0]!, grid[1]!] : [0, 0],
      side: {
        ...(typeof row.cls === 'number' ? { cls: row.cls } : {}),
        ...(typeof row.txt === 'string' ? { txt: row.txt } : {}),
        ...(typeof row.json === 'string' ? { json: row.json } : {}),
      },
    });
  });
  const metadata = sidecar ? new Map(Object.entries(decodeSidecar(sidecar, `${source}.jsonl${SIDECAR_EXTENSION}`).metadata)) : new Map<string, string>();
  return { sequences, metadata };
}

function intArray(value: unknown, where: string): Int32Array | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => !Number.isInteger(v) || v < -2147483648 || v > 2147483647)) throw new Error(`${where} must be an array of Int32 integers`);
  return Int32Array.from(value as number[]);
}
