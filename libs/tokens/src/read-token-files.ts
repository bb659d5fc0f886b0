import fs from 'node:fs/promises';
import { readArrowSequences } from './formats/arrow.js';
import { readJsonlSequences } from './formats/jsonl.js';
import { readMegatronSequences } from './formats/megatron.js';
import { readParquetSequences } from './formats/parquet.js';
import { readWdsSequences } from './formats/wds.js';
import { SIDECAR_EXTENSION } from './sidecar.js';
import type { TokenFormat, TokenSequence } from './types.js';

/** Token sequences read back from one file (or Megatron prefix) of any format, with its provenance. */
export interface ReadTokens {
  readonly format: TokenFormat;
  readonly sequences: TokenSequence[];
  readonly metadata: Map<string, string>;
}

/** The format of a token file from its name: `.arrow`/`.ipc`, `.parquet`, `.bin`/`.idx` (or a prefix), `.tar`, `.jsonl`. */
export function tokenFormatOf(file: string): TokenFormat | undefined {
  if (/\.(arrow|ipc|feather)$/i.test(file)) return 'arrow';
  if (/\.parquet$/i.test(file)) return 'parquet';
  if (/\.(bin|idx)$/i.test(file)) return 'megatron';
  if (/\.tar$/i.test(file)) return 'wds';
  if (/\.jsonl$/i.test(file)) return 'jsonl';
  return undefined;
}

async function optional(file: string): Promise<Uint8Array | undefined> {
  return fs.readFile(file).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

async function required(file: string): Promise<Uint8Array> {
  const bytes = await optional(file);
  if (!bytes) throw new Error(`${file}: no such file`);
  return bytes;
}

/**
 * Reads a token file of any format. Megatron is named by its `.bin`, `.idx` or the bare prefix (Megatron's
 * `--data-path` form) and needs its `.megatron.meta.json` sidecar for keys; wds/jsonl sidecars are optional.
 */
export async function readTokenFile(file: string): Promise<ReadTokens> {
  let format = tokenFormatOf(file);
  if (!format && (await optional(`${file}.idx`))) format = 'megatron';
  if (!format) throw new Error(`${file}: not a token file (expected .arrow, .parquet, .bin/.idx (or their prefix), .tar or .jsonl)`);
  const base = file.replace(/\.(arrow|ipc|feather|parquet|bin|idx|tar|jsonl)$/i, '');
  switch (format) {
    case 'arrow':
      return { format, ...readArrowSequences(await required(file), file) };
    case 'parquet':
      return { format, ...readParquetSequences(await required(file), file) };
    case 'megatron':
      return { format, ...readMegatronSequences(await required(`${base}.idx`), await required(`${base}.bin`), await required(`${base}.megatron${SIDECAR_EXTENSION}`), base) };
    case 'wds':
      return { format, ...(await readWdsSequences(await required(file), file, await optional(`${base}.wds${SIDECAR_EXTENSION}`))) };
    case 'jsonl':
      return { format, ...readJsonlSequences(await required(file), file, await optional(`${base}.jsonl${SIDECAR_EXTENSION}`)) };
  }
}
