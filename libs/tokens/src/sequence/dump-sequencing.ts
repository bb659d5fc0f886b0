import path from 'node:path';
import { writeFileAtomic } from '@vqrae/graph';
import {
  AUGMENTS,
  captionOf,
  checkTemplate,
  defaultTemplate,
  loadTextTokenizer,
  parseCaptionSource,
  parseTemplate,
  planVocab,
  protocolSize,
  SPECIAL_ROLES,
  vocabJson,
  isBareLayer,
  parseTokenFormats,
  type Augment,
  type TokenFormat,
  type SequenceLayer,
  type SpecialRole,
  type TextTokenizer,
  type VocabPlan,
} from '@vqrae/tokens';
import type { ShardSample } from '@vqrae/data';
import { intOption, pathOption, stringOption, UsageError } from '../cli/index.js';
import { readSideFields } from '@vqrae/tokens';

/** Parses `--format` (comma list) as a usage error naming the bad entry. */
export function tokenFormatsOption(value: string): TokenFormat[] {
  try {
    return parseTokenFormats(value);
  } catch (error) {
    throw new UsageError(`dump-tokens: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const SPECIAL_HELP = 'an id, or a token of --text-tokenizer (e.g. "</s>")';
const NEW_ID_HELP = 'an id outside the image range and the text vocabulary';

/** `dump-tokens` options of the sequence layer (issue 13 items 2–4). */
export const SEQUENCE_OPTIONS = {
  tokenOffset: intOption({ description: 'first image-token id: codebook index i is written as N + i (recorded in vocab.json)', default: 0, min: 0, placeholder: '<N>' }),
  boi: stringOption({ description: `begin-of-image token before each image (${NEW_ID_HELP})`, placeholder: '<id>' }),
  eoi: stringOption({ description: `end-of-image token after each image (${NEW_ID_HELP})`, placeholder: '<id>' }),
  eol: stringOption({ description: `end-of-row token after every grid row, so the 2-D grid survives flattening (${NEW_ID_HELP})`, placeholder: '<id>' }),
  bos: stringOption({ description: `{bos} of --template (${SPECIAL_HELP})`, placeholder: '<id>' }),
  eos: stringOption({ description: `{eos} of --template (${SPECIAL_HELP})`, placeholder: '<id>' }),
  pad: stringOption({ description: `padding of --pack rows (${SPECIAL_HELP}; default: --eos)`, placeholder: '<id>' }),
  textTokenizer: pathOption({ description: 'Hugging Face tokenizer.json for captions (loaded offline)', mustExist: 'file', placeholder: '<file>' }),
  template: stringOption({ description: "sequence per sample, e.g. '{boi}{image}{eoi}{caption}{eos}' (default: {boi}{image}{eoi}, then {caption}{eos} with --text-tokenizer)", placeholder: '<template>' }),
  caption: stringOption({ description: "caption source: the .txt member, or a field of the .json member ('json:caption')", default: 'txt', placeholder: 'txt|json:<field>' }),
  pack: intOption({ description: 'pack sequences into rows of exactly L ids (documents never split; doc starts kept; per shard)', min: 1, placeholder: '<L>' }),
  augment: stringOption({ description: 'extra rows per image with an aug column: flip (mirror of the crop), tencrop (TenCrop(S) of a ⌊1.1·S⌋ center crop)', choices: AUGMENTS, default: 'none' }),
} as const;

/** The options as parsed (a subset of the command's resolved options). */
export interface SequenceOptionValues {
  readonly tokenOffset: number;
  readonly boi?: string | undefined;
  readonly eoi?: string | undefined;
  readonly eol?: string | undefined;
  readonly bos?: string | undefined;
  readonly eos?: string | undefined;
  readonly pad?: string | undefined;
  readonly textTokenizer?: string | undefined;
  readonly template?: string | undefined;
  readonly caption: string;
  readonly pack?: number | undefined;
  readonly augment: string;
}

/** The dump's sequence layer, resolved and validated before any image is read. */
export interface DumpSequencing {
  readonly layer: SequenceLayer;
  readonly plan: VocabPlan;
  readonly augment: Augment;
  /** Crop size the image protocol must produce (⌊1.1·S⌋ for tencrop). */
  readonly cropSize: number;
  /** True when ids are exactly the bare codes (today's output, no vocab.json needed). */
  readonly bare: boolean;
  /** Throws for a sample the template cannot render (no caption), before it reaches the model. */
  readonly checkSample?: (sample: ShardSample) => void;
  /** Recorded in the provenance and the resume fingerprint. */
  readonly record: Record<string, unknown>;
}

function specialId(role: SpecialRole, value: string, text: TextTokenizer | undefined): number {
  if (/^\d+$/.test(value)) {
    const id = Number(value);
    if (!Number.isSafeInteger(id)) throw new UsageError(`dump-tokens: --${role} ${value} is not a safe integer`);
    return id;
  }
  if (!text) throw new UsageError(`dump-tokens: --${role} '${value}' is not an id; token names need --text-tokenizer`);
  const id = text.idOf(value);
  if (id === undefined) throw new UsageError(`dump-tokens: --${role} '${value}' is not a token of ${text.source}`);
  return id;
}

/** Validates the sequence options (errors are usage errors, exit 2) and builds the layer. */
export function dumpSequencing(o: SequenceOptionValues, model: { codebookSize: number; grid: readonly [number, number]; inputSize: number }): DumpSequencing {
  try {
    const text = o.textTokenizer ? loadTextTokenizer(o.textTokenizer) : undefined;
    const specials: Partial<Record<SpecialRole, number>> = {};
    for (const role of SPECIAL_ROLES) {
      const value = o[role];
      if (value !== undefined) specials[role] = specialId(role, value, text);
    }
    // Packing pads with --pad, else with --eos (the pad id then stays out of the plan: one id, one role).
    const padId = specials.pad ?? specials.eos;
    if (o.pack !== undefined && padId === undefined) throw new UsageError('dump-tokens: --pack needs --pad <id> (or --eos, used as padding)');
    const finalPlan = planVocab({
      codebookSize: model.codebookSize,
      grid: model.grid,
      tokenOffset: o.tokenOffset,
      specials,
      ...(text ? { textVocabSize: text.vocabSize } : {}),
    });
    const template = o.template !== undefined ? parseTemplate(o.template) : defaultTemplate(finalPlan, text !== undefined);
    const layer: SequenceLayer = {
      plan: finalPlan,
      template,
      ...(text ? { text } : {}),
      caption: parseCaptionSource(o.caption),
      ...(o.pack !== undefined ? { pack: { length: o.pack, pad: padId! } } : {}),
    };
    checkTemplate(template, finalPlan, text);
    const augment = o.augment as Augment;
    const captionSource = layer.caption;
    const checkSample = template.usesCaption
      ? (sample: ShardSample): void => {
          const side = readSideFields(sample);
          const where = `sample '${sample.meta.key}'`;
          const caption = captionOf({ ...(side.caption !== undefined ? { txt: side.caption } : {}), ...(side.json !== undefined ? { json: side.json } : {}) }, captionSource, where);
          if (caption === undefined) throw new Error(`--template has {caption} but the sample has no ${captionSource.from === 'txt' ? '.txt member' : `.json field '${captionSource.field}'`}`);
        }
      : undefined;
    return {
      ...(checkSample ? { checkSample } : {}),
      layer,
      plan: finalPlan,
      augment,
      cropSize: protocolSize(augment, model.inputSize),
      bare: isBareLayer(layer),
      record: {
        vocab: vocabJson(finalPlan),
        template: template.source,
        caption: o.caption,
        text_tokenizer: text?.source ?? null,
        pack: o.pack ?? null,
        augment,
      },
    };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`dump-tokens: ${(e as Error).message}`);
  }
}

/** Writes `vocab.json` into the dump folder (atomic; identical on every rank, so a rewrite is harmless). */
export async function writeVocabJson(outDir: string, plan: VocabPlan): Promise<string> {
  const file = path.join(outDir, 'vocab.json');
  await writeFileAtomic(file, `${JSON.stringify(vocabJson(plan), null, 2)}\n`);
  return file;
}
