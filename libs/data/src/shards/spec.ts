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
 *   entries resolved against the list file's folder; entries may themselves use braces or name further `@lists`,
 *   up to {@link MAX_LIST_DEPTH} levels deep; a list that includes itself, directly or not, is refused as a cycle).
 */
export async function expandShardSpec(spec: string | readonly string[]): Promise<string[]> {
  const out = await expandSpecs(typeof spec === 'string' ? [spec] : spec, []);
  if (out.length === 0) throw new Error(`expandShardSpec: spec ${JSON.stringify(spec)} names no shards`);
  return out;
}

/** How deeply `@list` files may include one another (a cycle is refused at once; this bounds long chains). */
export const MAX_LIST_DEPTH = 16;

/** `chain`: the list files being expanded, outermost first, as given (for messages) and resolved (for identity). */
async function expandSpecs(specs: readonly string[], chain: readonly { shown: string; resolved: string }[]): Promise<string[]> {
  const out: string[] = [];
  for (const one of specs) {
    for (const part of one.split('::')) {
      const trimmed = part.trim();
      if (trimmed === '') continue;
      if (trimmed.startsWith('@')) out.push(...(await readShardList(trimmed.slice(1), chain)));
      else out.push(...expandBraces(trimmed));
    }
  }
  return out;
}

/** Most shards one brace pattern may name (a typo such as a 12-digit range would otherwise exhaust memory). */
export const MAX_EXPANDED_SHARDS = 10_000_000;

/** Brace expansion, refusing patterns whose numeric ranges multiply past {@link MAX_EXPANDED_SHARDS}. */
function expandBraces(pattern: string): string[] {
  let count = 1;
  for (const [, from, to, step] of pattern.matchAll(/\{(-?\d+)\.\.(-?\d+)(?:\.\.(-?\d+))?\}/g)) {
    count *= Math.floor(Math.abs(Number(to) - Number(from)) / Math.max(1, Math.abs(Number(step ?? 1)))) + 1;
  }
  if (count > MAX_EXPANDED_SHARDS) {
    throw new Error(`expandShardSpec: '${pattern}' names ${count} shards, more than ${MAX_EXPANDED_SHARDS}; check the brace range`);
  }
  return braces(pattern, { expand: true, rangeLimit: Infinity });
}

/** True for `http://`, `https://` locations. */
export function isUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

async function readShardList(listPath: string, chain: readonly { shown: string; resolved: string }[]): Promise<string[]> {
  const resolved = path.resolve(listPath);
  const shown = [...chain.map((c) => c.shown), listPath].join(' → ');
  if (chain.some((c) => c.resolved === resolved)) throw new Error(`expandShardSpec: shard-list files include one another in a cycle: ${shown}`);
  if (chain.length >= MAX_LIST_DEPTH) throw new Error(`expandShardSpec: shard-list files nested more than ${MAX_LIST_DEPTH} levels: ${shown}`);
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
    .flatMap((line) => line.split('::'))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => (entry.startsWith('@') ? `@${resolveEntry(folder, entry.slice(1))}` : resolveEntry(folder, entry)));
  return expandSpecs(entries, [...chain, { shown: listPath, resolved }]);
}

/** A list entry relative to its list file's folder; URLs and absolute paths unchanged. */
function resolveEntry(folder: string, entry: string): string {
  return isUrl(entry) || entry.startsWith('file:') || path.isAbsolute(entry) ? entry : path.join(folder, entry);
}
