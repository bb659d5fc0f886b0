import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

/** A text tokenizer loaded offline from a Hugging Face `tokenizer.json`. */
export interface TextTokenizer {
  /** The file it was loaded from (named in errors and recorded in provenance). */
  readonly source: string;
  /** Exclusive bound of its ids (largest id of the vocabulary and added tokens + 1). */
  readonly vocabSize: number;
  /** Ids of `text` without the tokenizer's own post-processing specials (the template places specials). */
  encode(text: string): Int32Array;
  /** Id of one token string (e.g. `</s>`), or undefined when it is not in the vocabulary. */
  idOf(token: string): number | undefined;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${what} ${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${what} ${path}: not JSON (${(e as Error).message})`);
  }
}

/**
 * Loads `tokenizer.json` with `@huggingface/tokenizers` (pure JS, no network). A `tokenizer_config.json` beside it is
 * used when present. Errors name the file.
 */
export function loadTextTokenizer(path: string): TextTokenizer {
  const json = readJson(path, '--text-tokenizer');
  if (!json || typeof json !== 'object' || !('model' in json)) throw new Error(`--text-tokenizer ${path}: not a Hugging Face tokenizer.json (no "model")`);
  const configPath = join(dirname(path), 'tokenizer_config.json');
  const config = existsSync(configPath) ? readJson(configPath, 'tokenizer config') : {};
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(json, config as object);
  } catch (e) {
    throw new Error(`--text-tokenizer ${path}: cannot be loaded (${(e as Error).message})`);
  }
  let maxId = -1;
  for (const id of tokenizer.get_vocab(true).values()) maxId = Math.max(maxId, id);
  if (maxId < 0) throw new Error(`--text-tokenizer ${path}: empty vocabulary`);
  return {
    source: path,
    vocabSize: maxId + 1,
    encode: (text) => {
      const { ids, tokens } = tokenizer.encode(text, { add_special_tokens: false });
      // @huggingface/tokenizers 0.2.0 returns `undefined` for a word a WordLevel model does not know (instead of its
      // unk id): refuse it rather than let it become id 0.
      const bad = ids.findIndex((id: number | undefined) => id === undefined || !Number.isSafeInteger(id) || id < 0);
      if (bad >= 0) throw new Error(`--text-tokenizer ${path}: token ${JSON.stringify(tokens[bad])} of ${JSON.stringify(text.slice(0, 60))} has no id (${String(ids[bad])})`);
      return Int32Array.from(ids);
    },
    idOf: (token) => tokenizer.token_to_id(token),
  };
}
