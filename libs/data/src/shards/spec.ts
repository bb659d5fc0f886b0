import fs from 'node:fs/promises';
import path from 'node:path';
import braces from 'braces';

/**
 * Expands shard specs into a flat list of shard locations, in order:
 * - local paths and `http(s)://` / `file://` URLs;
 * - brace ranges and lists, as in Python webdataset (`train-{000000..001281}.tar`, `{a,b}.tar`; zero padding kept,
 *   no 1000-item limit);
 * - several specs joined, either as an array or in one string separated by `::` (webdataset's separator);
 * - shard-list files: `@path/to/list.txt` (one spec per line, `#` comments and blank lines ignored, relative
 *   entries resolved against the list file's folder; entries may themselves use braces).
 */
export async function expandShardSpec(spec: string | readonly string[]): Promise<string[]> {
  const specs = typeof spec === 'string' ? [spec] : spec;
  const out: string[] = [];
  for (const one of specs) {
    for (const part of one.split('::')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('@')) out.push(...(await readShardList(trimmed.slice(1))));
      else out.push(...braces(trimmed, { expand: true, rangeLimit: Infinity }));
    }
  }
  if (out.length === 0) throw new Error(`expandShardSpec: spec ${JSON.stringify(spec)} names no shards`);
  return out;
}

/** True for `http://`, `https://` locations. */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

async function readShardList(listPath: string): Promise<string[]> {
  let text: string;
  try {
    text = await fs.readFile(listPath, 'utf8');
  } catch (error) {
    throw new Error(`expandShardSpec: cannot read shard-list file '${listPath}': ${(error as Error).message}`);
  }
  const folder = path.dirname(listPath);
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (isUrl(line) || line.startsWith('file:') || path.isAbsolute(line) ? line : path.join(folder, line)));
  return entries.length === 0 ? [] : expandShardSpec(entries);
}
