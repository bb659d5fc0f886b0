import { fanOutTokenWriter } from '../formats/registry.js';
import type { TokenFormat, TokenSequence, TokenWriterConfig } from '../types.js';
import type { PartFile } from '../exactly-once/exactly-once.js';
import type { TokenRow } from './token-table.js';

/** A dump row as the format writers see it (bare codes: no sequence layer configured). */
export function rowSequence(row: TokenRow, grid: readonly [number, number]): TokenSequence {
  return {
    key: row.key,
    shard: row.shard,
    aug: 'none',
    ids: row.tokens,
    grid,
    side: { ...(row.label !== undefined ? { cls: row.label } : {}), ...(row.caption !== undefined ? { txt: row.caption } : {}), ...(row.json !== undefined ? { json: row.json } : {}) },
  };
}

const PART_BASE = 'part';

/**
 * Encoder of one output part in every requested format: all files of the part (e.g. `.parquet`, `.bin`, `.idx`,
 * `.megatron.meta.json`), which the exactly-once machinery commits with the shard as one unit.
 */
export function tokenPartEncoder<Row>(
  formats: readonly TokenFormat[],
  config: Omit<TokenWriterConfig, 'baseName'>,
  toSequences: (rows: readonly Row[]) => readonly TokenSequence[],
): (rows: readonly Row[]) => Promise<PartFile[]> {
  return async (rows) => {
    const writer = fanOutTokenWriter(formats, { ...config, baseName: PART_BASE });
    for (const s of toSequences(rows)) writer.add(s);
    return (await writer.finish()).map((f) => ({ extension: f.name.slice(PART_BASE.length), bytes: f.bytes }));
  };
}
