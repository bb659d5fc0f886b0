import type { ShardSample } from '@vqrae/data';

/** Optional pass-through fields of a sample: `.cls` (integer label), `.txt` (caption), `.json` (raw JSON text). */
export interface SideFields {
  readonly label?: number;
  readonly caption?: string;
  readonly json?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads the side members of one sample; a malformed `.cls` is an error naming the sample. */
export function readSideFields(sample: ShardSample): SideFields {
  const out: { label?: number; caption?: string; json?: string } = {};
  const cls = sample.files.get('cls');
  if (cls) {
    const text = decoder.decode(cls).trim();
    const label = Number(text);
    if (!Number.isInteger(label)) throw new Error(`'.cls' member is not an integer: ${JSON.stringify(text.slice(0, 40))}`);
    out.label = label;
  }
  const txt = sample.files.get('txt');
  if (txt) out.caption = decoder.decode(txt);
  const json = sample.files.get('json');
  if (json) {
    const text = decoder.decode(json);
    JSON.parse(text); // validate: a broken JSON member is reported, not silently copied
    out.json = text;
  }
  return out;
}
