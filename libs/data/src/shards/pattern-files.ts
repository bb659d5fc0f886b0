import fs from 'node:fs/promises';
import path from 'node:path';
import { formatShardPath } from './writer.js';

/** A file on disk that a shard pattern can produce, and its index. */
export interface PatternFile {
  readonly path: string;
  readonly index: number;
}

/**
 * The files that exist for a shard pattern (`out/train-%06d.tar` → `out/train-000000.tar`, `out/train-000017.tar`, …),
 * sorted by index: every name in the pattern's folder that is the pattern with an integer in its field. Temporary
 * files (`….tar.tmp-<pid>`) and other names do not match. An absent folder has none.
 */
export async function listPatternFiles(pattern: string): Promise<PatternFile[]> {
  formatShardPath(pattern, 0); // validates the pattern (exactly one %d field)
  const dir = path.dirname(pattern);
  const base = path.basename(pattern);
  const field = /%(0?)(\d*)d/.exec(base);
  if (!field) throw new Error(`shard pattern '${pattern}': the %d field must be in the file name, not in a folder`);
  const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matcher = new RegExp(`^${escape(base.slice(0, field.index))} *(\\d+)${escape(base.slice(field.index + field[0].length))}$`);
  const names = await fs.readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    if (error.code === 'ENOTDIR') throw new Error(`shard pattern '${pattern}': ${dir} is not a folder`, { cause: error });
    throw error;
  });
  const files: PatternFile[] = [];
  for (const name of names) {
    const match = matcher.exec(name);
    if (match) files.push({ path: path.join(dir, name), index: Number(match[1]) });
  }
  return files.sort((a, b) => a.index - b.index);
}
