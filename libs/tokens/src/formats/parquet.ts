import * as arrow from 'apache-arrow';
import { Compression, readParquet, Table as WasmTable, WriterPropertiesBuilder, writeParquet } from 'parquet-wasm';
import { arrowTableToSequences, sequencesToArrowTable } from '../arrow-table.js';
import type { TokenSequence, TokenShardWriter, TokenWriterConfig } from '../types.js';

/**
 * `parquet`: the Arrow table of the shard unit written by parquet-wasm with zstd; provenance in the Parquet key-value
 * metadata (and, through the embedded Arrow schema, in the Arrow schema metadata a reader gets back).
 * Readable by HF `datasets` (`load_dataset("parquet", …)`), polars, DuckDB and pyarrow.
 */
export function parquetWriter(config: TokenWriterConfig): TokenShardWriter {
  const sequences: TokenSequence[] = [];
  return {
    format: 'parquet',
    extensions: ['.parquet'],
    add: (s) => void sequences.push(s),
    finish: async () => [{ name: `${config.baseName}.parquet`, bytes: encodeParquet(sequencesToArrowTable(sequences, config), config.metadata) }],
  };
}

/** Arrow table → Parquet bytes (zstd); wasm-side objects are freed before returning. */
export function encodeParquet(table: arrow.Table, metadata: ReadonlyMap<string, string>): Uint8Array {
  const wasmTable = WasmTable.fromIPCStream(arrow.tableToIPC(table, 'stream'));
  const properties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setKeyValueMetadata(new Map(metadata)).build();
  return writeParquet(wasmTable, properties); // consumes both wasm objects
}

/** Reads a Parquet token file back (any writer; tokens as a list of any integer width). */
export function readParquetSequences(bytes: Uint8Array, source: string): { sequences: TokenSequence[]; metadata: Map<string, string> } {
  let table: arrow.Table;
  try {
    const wasmTable = readParquet(bytes);
    table = arrow.tableFromIPC(wasmTable.intoIPCStream());
  } catch (error) {
    throw new Error(`${source}: not a readable Parquet file (${error instanceof Error ? error.message : String(error)})`);
  }
  return { sequences: arrowTableToSequences(table, source), metadata: table.schema.metadata };
}
