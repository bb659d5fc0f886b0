import fs from 'node:fs/promises';
import path from 'node:path';
import type { Source } from '@vqrae/graph';
import { decodeTokenTable, type TokenRow } from '../dump/token-table.js';

/** Arrow token files named by `input`: one file, a folder (every *.arrow, sorted), or a dump manifest.json. */
export async function tokenFiles(input: string): Promise<string[]> {
  const stat = await fs.stat(input).catch(() => undefined);
  if (!stat) throw new Error(`tokens: '${input}' does not exist`);
  if (stat.isDirectory()) {
    const files = (await fs.readdir(input)).filter((f) => f.endsWith('.arrow') && !f.startsWith('.')).sort();
    if (files.length === 0) throw new Error(`tokens: no .arrow files in '${input}'`);
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
    return outputs.map((o: unknown, i) => {
      const file = (o as { file?: unknown } | null)?.file;
      if (typeof file !== 'string' || file === '') throw new Error(`tokens: '${input}': outputs[${i}] has no 'file'`);
      return path.join(path.dirname(input), file);
    });
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
        const table = decodeTokenTable(await fs.readFile(file), file);
        for (const row of table.rows) yield { ...row, gridH: table.gridH, gridW: table.gridW, metadata: table.metadata };
      }
    },
  };
}
