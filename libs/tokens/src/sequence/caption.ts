import type { SideMembers } from '../types.js';

/** Where a sample's caption comes from: its `.txt` member, or one string field of its `.json` member. */
export type CaptionSource = { readonly from: 'txt' } | { readonly from: 'json'; readonly field: string };

/** Parses `--caption txt` or `--caption json:<field>` (field may be a dotted path, e.g. `json:meta.caption`). */
export function parseCaptionSource(value: string): CaptionSource {
  if (value === 'txt') return { from: 'txt' };
  const m = /^json:(.+)$/.exec(value);
  if (m) return { from: 'json', field: m[1]! };
  throw new Error(`--caption must be 'txt' or 'json:<field>', got '${value}'`);
}

/** The sample's caption, or undefined when it has none; a non-string JSON field is an error naming `where`. */
export function captionOf(side: SideMembers, source: CaptionSource, where: string): string | undefined {
  if (source.from === 'txt') return side.txt;
  if (side.json === undefined) return undefined;
  let value: unknown = JSON.parse(side.json) as unknown;
  for (const part of source.field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`${where}: .json field '${source.field}' is ${typeof value}, expected a caption string`);
  return value;
}
