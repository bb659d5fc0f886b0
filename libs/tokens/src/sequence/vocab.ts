/**
 * Vocabulary placement of image tokens in an LLM's id space: codebook index i becomes `tokenOffset + i`, optional
 * special tokens surround each image (`boi` … `eoi`) and end every grid row (`eol`, Emu3-style, so the 2-D grid
 * survives flattening). The plan is validated once (no two roles share an id, nothing lands inside the text
 * tokenizer's vocabulary) and written as the `vocab.json` sidecar that tells a user which ids to add to their LLM.
 */

/** Special token roles the dump can place. `bos`/`eos`/`pad` are usually the text tokenizer's own ids. */
export const SPECIAL_ROLES = ['boi', 'eoi', 'eol', 'bos', 'eos', 'pad'] as const;
export type SpecialRole = (typeof SPECIAL_ROLES)[number];

/** What the user asked for (`--token-offset`, `--boi`, …). Every id is a non-negative safe integer. */
export interface VocabOptions {
  readonly codebookSize: number;
  readonly grid: readonly [number, number];
  /** First image-token id (codebook index 0). Default 0. */
  readonly tokenOffset?: number;
  readonly specials?: Partial<Record<SpecialRole, number>>;
  /**
   * Size of the text tokenizer's vocabulary, when captions are tokenised. Image ids and the specials placed by the
   * dump (boi/eoi/eol) must lie outside [0, textVocabSize); bos/eos/pad may lie inside (they are the text's own).
   */
  readonly textVocabSize?: number;
}

/** A validated placement. `vocabSize` is the exclusive bound of every id a sequence can hold. */
export interface VocabPlan {
  readonly codebookSize: number;
  readonly grid: readonly [number, number];
  readonly tokenOffset: number;
  readonly specials: Readonly<Partial<Record<SpecialRole, number>>>;
  readonly textVocabSize?: number;
  /** Exclusive upper bound of all ids (max of image range end, specials + 1, text vocabulary). */
  readonly vocabSize: number;
}

/** Roles the dump itself introduces into the LLM vocabulary (must not collide with text tokens). */
const NEW_ROLES: readonly SpecialRole[] = ['boi', 'eoi', 'eol'];

function checkId(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`vocabulary: ${name} must be a non-negative integer, got ${value}`);
}

/**
 * Validates a placement. Throws an error naming both parties when ranges overlap: a special inside the image range
 * [offset, offset + codebookSize), two specials sharing an id, or the image range / boi / eoi / eol inside the text
 * tokenizer's vocabulary [0, textVocabSize).
 */
export function planVocab(options: VocabOptions): VocabPlan {
  const offset = options.tokenOffset ?? 0;
  checkId('--token-offset', offset);
  checkId('codebook size', options.codebookSize);
  if (options.codebookSize < 1) throw new Error('vocabulary: codebook size must be ≥ 1');
  const [h, w] = options.grid;
  if (!(Number.isSafeInteger(h) && h > 0 && Number.isSafeInteger(w) && w > 0)) throw new Error(`vocabulary: grid must be positive integers, got ${h}×${w}`);
  const imageEnd = offset + options.codebookSize; // exclusive
  const imageRange = `image tokens [${offset}, ${imageEnd - 1}]`;
  const specials: Partial<Record<SpecialRole, number>> = {};
  const owners = new Map<number, SpecialRole>();
  for (const role of SPECIAL_ROLES) {
    const id = options.specials?.[role];
    if (id === undefined) continue;
    checkId(`--${role}`, id);
    if (id >= offset && id < imageEnd) throw new Error(`vocabulary: --${role} ${id} lies inside the ${imageRange} (codebook size ${options.codebookSize} from --token-offset ${offset})`);
    const other = owners.get(id);
    if (other !== undefined) throw new Error(`vocabulary: --${role} and --${other} are both ${id}; every special token needs its own id`);
    owners.set(id, role);
    specials[role] = id;
  }
  const text = options.textVocabSize;
  if (text !== undefined) {
    checkId('text vocabulary size', text);
    if (offset < text) {
      throw new Error(
        `vocabulary: ${imageRange} overlap the text tokenizer's vocabulary [0, ${text - 1}]; pass --token-offset ≥ ${text} so image ids follow the text ids`,
      );
    }
    for (const role of NEW_ROLES) {
      const id = specials[role];
      if (id !== undefined && id < text) {
        throw new Error(`vocabulary: --${role} ${id} lies inside the text tokenizer's vocabulary [0, ${text - 1}]; choose an id ≥ ${text} outside the image range`);
      }
    }
  }
  const ids = [imageEnd, text ?? 0, ...Object.values(specials).map((id) => id + 1)];
  return {
    codebookSize: options.codebookSize,
    grid: [h, w],
    tokenOffset: offset,
    specials,
    ...(text !== undefined ? { textVocabSize: text } : {}),
    vocabSize: Math.max(...ids),
  };
}

/** True when the plan changes nothing: ids are the bare codebook indices. */
export function isIdentityPlan(plan: VocabPlan): boolean {
  return plan.tokenOffset === 0 && NEW_ROLES.every((r) => plan.specials[r] === undefined);
}

/**
 * The codes of one image as ids: `row₀ [eol] row₁ [eol] …`, every code shifted by the offset. `codes` is `[h·w]`
 * row-major; the result has h·w + h·(eol ? 1 : 0) ids. Errors name `where`, the row and the column.
 */
export function imageRows(codes: Int32Array, plan: VocabPlan, where = 'image'): Int32Array {
  const [h, w] = plan.grid;
  if (codes.length !== h * w) throw new Error(`${where}: ${codes.length} codes for a ${h}×${w} grid`);
  const { eol } = plan.specials;
  const out = new Int32Array(h * w + (eol !== undefined ? h : 0));
  let at = 0;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const code = codes[r * w + c]!;
      if (!(code >= 0 && code < plan.codebookSize)) throw new Error(`${where}: code ${code} at row ${r}, column ${c} is outside [0, ${plan.codebookSize})`);
      out[at++] = plan.tokenOffset + code;
    }
    if (eol !== undefined) out[at++] = eol;
  }
  return out;
}

/** The image block of one image: `[boi] imageRows [eoi]` (specials only when configured). */
export function imageBlock(codes: Int32Array, plan: VocabPlan, where = 'image'): Int32Array {
  const rows = imageRows(codes, plan, where);
  const { boi, eoi } = plan.specials;
  const out = new Int32Array(rows.length + (boi !== undefined ? 1 : 0) + (eoi !== undefined ? 1 : 0));
  if (boi !== undefined) out[0] = boi;
  out.set(rows, boi !== undefined ? 1 : 0);
  if (eoi !== undefined) out[out.length - 1] = eoi;
  return out;
}

/**
 * The bare codes of every image in a sequence: image-range ids shifted back by the offset, grouped per image.
 * An image starts at `boi` (or at the first image id when there is no boi) and must hold exactly h·w codes; `eol`
 * must follow every row when configured. Text ids and specials are dropped. Errors name `where` and the position.
 */
export function extractImages(ids: ArrayLike<number>, plan: VocabPlan, where = 'sequence'): Int32Array[] {
  const [h, w] = plan.grid;
  const n = h * w;
  const { boi, eoi, eol } = plan.specials;
  const end = plan.tokenOffset + plan.codebookSize;
  const images: Int32Array[] = [];
  let current: number[] | undefined;
  const close = (at: number): void => {
    if (!current) return;
    if (current.length !== n) throw new Error(`${where}: image ending at position ${at} has ${current.length} codes, expected ${n} (${h}×${w})`);
    images.push(Int32Array.from(current));
    current = undefined;
  };
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id === boi) {
      close(i);
      current = [];
    } else if (id === eoi) {
      close(i);
    } else if (id === eol) {
      if (!current || current.length === 0 || current.length % w !== 0) throw new Error(`${where}: end-of-row token at position ${i} does not follow a full row of ${w} codes`);
      if (boi === undefined && eoi === undefined && current.length === n) close(i + 1);
    } else if (id >= plan.tokenOffset && id < end) {
      if (!current) current = [];
      current.push(id - plan.tokenOffset);
      if (boi === undefined && eoi === undefined && current.length === n && eol === undefined) close(i + 1);
    } else if (current && boi === undefined && eoi === undefined) {
      close(i);
    }
  }
  close(ids.length);
  return images;
}

/** The `vocab.json` sidecar: everything needed to extend an LLM tokenizer with exactly these ids. */
export interface VocabJson {
  readonly format: 'vqrae-vocab';
  readonly version: 1;
  /** Image token ids: `first` + codebook index, inclusive range [first, last]. */
  readonly image_tokens: { readonly first: number; readonly last: number; readonly count: number; readonly token_offset: number };
  readonly codebook_size: number;
  readonly grid: { readonly h: number; readonly w: number };
  /** Special token ids by role; `new` lists the ones the LLM must add (not part of its text vocabulary). */
  readonly special_tokens: Readonly<Partial<Record<SpecialRole, number>>>;
  readonly new_special_tokens: readonly SpecialRole[];
  readonly text_vocab_size: number | null;
  /** Exclusive bound of every id: the LLM's embedding table needs at least this many rows. */
  readonly vocab_size: number;
  /** How one image is laid out in a sequence, e.g. `<boi> (code×16 <eol>)×16 <eoi>`. */
  readonly layout: string;
}

/** Renders the sidecar for a plan. */
export function vocabJson(plan: VocabPlan): VocabJson {
  const [h, w] = plan.grid;
  const { boi, eoi, eol } = plan.specials;
  const row = eol !== undefined ? `(code×${w} <eol>)×${h}` : `code×${h * w}`;
  const layout = [boi !== undefined ? '<boi>' : '', row, eoi !== undefined ? '<eoi>' : ''].filter(Boolean).join(' ');
  const inText = (id: number): boolean => plan.textVocabSize !== undefined && id < plan.textVocabSize;
  return {
    format: 'vqrae-vocab',
    version: 1,
    image_tokens: { first: plan.tokenOffset, last: plan.tokenOffset + plan.codebookSize - 1, count: plan.codebookSize, token_offset: plan.tokenOffset },
    codebook_size: plan.codebookSize,
    grid: { h, w },
    special_tokens: { ...plan.specials },
    new_special_tokens: SPECIAL_ROLES.filter((r) => plan.specials[r] !== undefined && !inText(plan.specials[r]!)),
    text_vocab_size: plan.textVocabSize ?? null,
    vocab_size: plan.vocabSize,
    layout,
  };
}

/** Reads a `vocab.json` back into a plan (validated again); errors name `source`. */
export function planFromVocabJson(value: unknown, source = 'vocab.json'): VocabPlan {
  const v = value as Partial<VocabJson> | null;
  if (!v || typeof v !== 'object' || v.format !== 'vqrae-vocab') throw new Error(`${source}: not a vqrae vocab.json (missing "format": "vqrae-vocab")`);
  if (v.version !== 1) throw new Error(`${source}: unsupported version ${String(v.version)} (this vqrae reads version 1)`);
  if (!v.image_tokens || !v.grid || typeof v.codebook_size !== 'number') throw new Error(`${source}: missing image_tokens, grid or codebook_size`);
  try {
    return planVocab({
      codebookSize: v.codebook_size,
      grid: [v.grid.h, v.grid.w],
      tokenOffset: v.image_tokens.token_offset,
      specials: v.special_tokens ?? {},
      ...(typeof v.text_vocab_size === 'number' ? { textVocabSize: v.text_vocab_size } : {}),
    });
  } catch (e) {
    throw new Error(`${source}: ${(e as Error).message}`);
  }
}
