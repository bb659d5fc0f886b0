import { TOKEN_FORMATS, type TokenFormat, type TokenShardWriter, type TokenWriterConfig, type TokenWriterFactory } from '../types.js';
import { arrowWriter } from './arrow.js';
import { jsonlWriter } from './jsonl.js';
import { megatronWriter } from './megatron.js';
import { parquetWriter } from './parquet.js';
import { wdsWriter } from './wds.js';

const FACTORIES: Record<TokenFormat, TokenWriterFactory> = {
  arrow: arrowWriter,
  parquet: parquetWriter,
  megatron: megatronWriter,
  wds: wdsWriter,
  jsonl: jsonlWriter,
};

/** Parses `--format` (comma list, e.g. `parquet,megatron`); unknown or repeated names are refused by name. */
export function parseTokenFormats(list: string): TokenFormat[] {
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`--format: empty list (choose from ${TOKEN_FORMATS.join(', ')})`);
  const out: TokenFormat[] = [];
  for (const name of names) {
    if (!(TOKEN_FORMATS as readonly string[]).includes(name)) throw new Error(`--format: unknown format '${name}' (choose from ${TOKEN_FORMATS.join(', ')})`);
    if (out.includes(name as TokenFormat)) throw new Error(`--format: '${name}' is listed twice`);
    out.push(name as TokenFormat);
  }
  return out;
}

const EXTENSIONS: Record<TokenFormat, readonly string[]> = {
  arrow: ['.arrow'],
  parquet: ['.parquet'],
  megatron: ['.bin', '.idx', '.megatron.meta.json'],
  wds: ['.tar', '.wds.meta.json'],
  jsonl: ['.jsonl', '.jsonl.meta.json'],
};

/** The file extensions one shard unit of `format` consists of (all present when the unit is complete). */
export function tokenFormatExtensions(format: TokenFormat): readonly string[] {
  return EXTENSIONS[format];
}

/** The writer of one format for one shard unit. */
export function createTokenWriter(format: TokenFormat, config: TokenWriterConfig): TokenShardWriter {
  return FACTORIES[format](config);
}

/**
 * Fan-out writer: every sequence goes to each format, and `finish` returns all their files together so the caller
 * commits them as one atomic unit (file names never collide: sidecars are `<base>.<format>.meta.json`).
 */
export function fanOutTokenWriter(formats: readonly TokenFormat[], config: TokenWriterConfig): TokenShardWriter & { readonly formats: readonly TokenFormat[] } {
  const writers = formats.map((format) => createTokenWriter(format, config));
  return {
    format: formats[0]!,
    formats,
    extensions: writers.flatMap((w) => w.extensions),
    add: (s) => writers.forEach((w) => w.add(s)),
    finish: async () => {
      const files = [];
      for (const w of writers) files.push(...(await w.finish()));
      return files;
    },
  };
}
