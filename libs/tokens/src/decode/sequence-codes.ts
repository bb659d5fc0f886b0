import fs from 'node:fs/promises';
import path from 'node:path';
import { extractImages, planFromVocabJson, type VocabPlan } from '../sequence/index.js';
import type { TokenSequence } from '../types.js';

/** One image's bare codes recovered from a token sequence, under the key decode names its output with. */
export interface SequenceCodes {
  readonly key: string;
  readonly codes: Int32Array;
}

/**
 * The `vocab.json` of a dump folder (beside its token files), or undefined when the dump has none (bare codes).
 * A broken vocab.json is an error naming it.
 */
export async function vocabPlanBeside(file: string): Promise<VocabPlan | undefined> {
  const vocabFile = path.join(path.dirname(file), 'vocab.json');
  let text: string;
  try {
    text = await fs.readFile(vocabFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${vocabFile}: cannot be read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${vocabFile}: not JSON (${(e as Error).message})`);
  }
  return planFromVocabJson(json, vocabFile);
}

/**
 * The images of one sequence as bare codes: `codes` when the format kept them; else the ids with the offset and the
 * specials (boi/eoi/eol) and any caption text stripped by the dump's vocab.json; else the ids themselves (a bare
 * dump). A packed row yields one image per document, keyed `<key>`, `<key>#1`, `<key>#2` … (only the first key is
 * stored in a packed row). An augmented view other than `none` is keyed `<key>.<aug>` so views never collide.
 */
export function sequenceCodes(s: TokenSequence, plan: VocabPlan | undefined, where: string): SequenceCodes[] {
  const base = s.aug !== 'none' ? `${s.key}.${s.aug}` : s.key;
  if (s.codes && !s.docStarts) return [{ key: base, codes: s.codes }];
  if (!plan) return [{ key: base, codes: s.ids }];
  const images = extractImages(s.ids, plan, `${where} (key '${s.key}')`);
  if (images.length === 0) throw new Error(`${where} (key '${s.key}'): no image tokens in the sequence (vocab.json: image ids ${plan.tokenOffset}…${plan.tokenOffset + plan.codebookSize - 1})`);
  return images.map((codes, i) => ({ key: i === 0 ? base : `${base}#${i}`, codes }));
}
