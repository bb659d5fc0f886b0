import fs from 'node:fs/promises';
import path from 'node:path';
import type { Source } from '@vqrae/graph';
import { readTokenFile, tokenFormatOf } from '../read-token-files.js';
import type { TokenFormat } from '../types.js';
import { sequenceCodes, vocabPlanBeside } from './sequence-codes.js';
import { decodeTokenTable, type TokenRow } from '../dump/token-table.js';

/** When a folder or manifest holds several formats of one dump, decode reads the first of these. */
const FORMAT_PREFERENCE: readonly TokenFormat[] = ['arrow', 'parquet', 'megatron', 'jsonl', 'wds'];

/** The token files of one format among `names` (megatron by its `.idx`; sidecars and `.bin` are not entry points). */
function oneFormat(names: readonly string[]): string[] {
  const entry = names.filter((f) => !path.basename(f).startsWith('.') && !f.endsWith('.bin') && tokenFormatOf(f) !== undefined);
  const format = FORMAT_PREFERENCE.find((fmt) => entry.some((f) => tokenFormatOf(f) === fmt));
  return entry.filter((f) => tokenFormatOf(f) === format);
}

/**
 * Token files named by `input`: one file of any format (`.arrow`, `.parquet`, Megatron `.idx`/`.bin`/prefix, `.tar`,
 * `.jsonl`), a folder (every file of its first format, sorted), or a dump manifest.json.
 */
export async function tokenFiles(input: string): Promise<string[]> {
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat && (await fs.stat(`${input}.idx`).catch(() => undefined))) return [input]; // a Megatron prefix
  if (!stat) throw new Error(`tokens: '${input}' does not exist`);
  if (stat.isDirectory()) {
    const files = oneFormat((await fs.readdir(input)).sort());
    if (files.length === 0) throw new Error(`tokens: no token files (.arrow, .parquet, .idx, .jsonl, .tar) in '${input}'`);
    return files.map((f) => path.join(input, f));
  }
  if (input.endsWith('.json')) {
    let manifest: { outputs?: unknown };
    try {
      manifest = JSON.parse(await fs.readFile(input, 'utf8')) as { outputs?: unknown };
    } catch (error) {
      throw new Error(`tokens: '${input}' is not valid JSON: ${(error as Error).message}`);
    }
    const outputs = manifest?.outputs;
    if (!Array.isArray(outputs)) throw new Error(`tokens: '${input}' is not a dump manifest (no outputs)`);
    return oneFormat(
      outputs.map((o: unknown, i) => {
        const file = (o as { file?: unknown } | null)?.file;
        if (typeof file !== 'string' || file === '') throw new Error(`tokens: '${input}': outputs[${i}] has no 'file'`);
        return path.join(path.dirname(input), file);
      }),
    );
  }
  return [input];
}

/** Streams token rows file by file (one file in memory at a time). */
export function tokenRowSource(files: readonly string[], label: string): Source<TokenRow & { gridH: number; gridW: number; metadata: Map<string, string> }> {
  return {
    name: 'tokens',
    describe: () => `tokens(${label}, ${files.length} file(s))`,
    open: async function* (signal) {
      for (const file of files) {
        if (signal.aborted) return;
        const table = await readTokenRows(file);
        for (const row of table.rows) yield { ...row, gridH: table.gridH, gridW: table.gridW, metadata: table.metadata };
      }
    },
  };
}

/**
 * Token rows of one file of any format. Arrow goes through decodeTokenTable (unchanged); other formats through the
 * @vqrae/tokens readers, taking the bare codes where the format kept them (`codes`), else the ids.
 */
export async function readTokenRows(file: string): Promise<{ rows: TokenRow[]; gridH: number; gridW: number; metadata: Map<string, string> }> {
  // An Arrow dump with a vocab.json (offset/specials/captions/packing/augment) has the sequence layout: read it
  // through @vqrae/tokens like the other formats.
  if ((await isArrowTokenFile(file)) && !(await vocabPlanBeside(file))) return decodeTokenTable(await fs.readFile(file), file);
  const read = await readTokenFile(file);
  // Offsets, specials, captions and packing are stripped with the dump's vocab.json (G2's sequence layer).
  const plan = await vocabPlanBeside(file);
  const rows = read.sequences.flatMap((s): TokenRow[] =>
    sequenceCodes(s, plan, file).map(({ key, codes }) => ({
      key,
      shard: s.shard,
      tokens: codes,
      ...(s.side.cls !== undefined ? { label: s.side.cls } : {}),
      ...(s.side.txt !== undefined ? { caption: s.side.txt } : {}),
      ...(s.side.json !== undefined ? { json: s.side.json } : {}),
    })),
  );
  const [gridH, gridW] = read.sequences[0]?.grid ?? [0, 0];
  return { rows, gridH, gridW, metadata: read.metadata };
}

/** Arrow by name (`.arrow`/`.ipc`/`.feather`), or any other name that is neither another format nor a Megatron prefix. */
export async function isArrowTokenFile(file: string): Promise<boolean> {
  const format = tokenFormatOf(file);
  if (format !== undefined) return format === 'arrow';
  return !(await fs.stat(`${file}.idx`).catch(() => undefined));
}
