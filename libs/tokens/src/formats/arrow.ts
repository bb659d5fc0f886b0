import * as arrow from 'apache-arrow';
import { arrowTableToSequences, sequencesToArrowTable } from '../arrow-table.js';
import type { TokenSequence, TokenShardWriter, TokenWriterConfig } from '../types.js';

/** `arrow`: one Arrow IPC file per shard unit, provenance in the schema metadata (the historical token dump). */
export function arrowWriter(config: TokenWriterConfig): TokenShardWriter {
  const sequences: TokenSequence[] = [];
  return {
    format: 'arrow',
    extensions: ['.arrow'],
    add: (s) => void sequences.push(s),
    finish: async () => [{ name: `${config.baseName}.arrow`, bytes: arrow.tableToIPC(sequencesToArrowTable(sequences, config), 'file') }],
  };
}

/** Reads an Arrow IPC token file (file or stream format). */
export function readArrowSequences(bytes: Uint8Array, source: string): { sequences: TokenSequence[]; metadata: Map<string, string> } {
  let table: arrow.Table;
  try {
    table = arrow.tableFromIPC(bytes);
  } catch (error) {
    throw new Error(`${source}: not a readable Arrow IPC file (${error instanceof Error ? error.message : String(error)})`);
  }
  return { sequences: arrowTableToSequences(table, source), metadata: table.schema.metadata };
}
