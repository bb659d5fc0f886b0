import { AUGMENTS, parseTokenFormats, resolveDumpSequencing, type DumpSequencing, type SequenceOptionValues, type TokenFormat } from '@vqrae/tokens';
import { intOption, pathOption, stringOption, UsageError } from '../cli/index.js';

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

/** Errors of the library's option checks as usage errors of `dump-tokens` (exit 2). */
function usage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new UsageError(`dump-tokens: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Validates the sequence options (errors are usage errors, exit 2) and builds the layer. */
export function dumpSequencing(o: SequenceOptionValues, model: { codebookSize: number; grid: readonly [number, number]; inputSize: number }): DumpSequencing {
  return usage(() => resolveDumpSequencing(o, model));
}

/** Parses `--format` (comma list) as a usage error naming the bad entry. */
export function tokenFormatsOption(value: string): TokenFormat[] {
  return usage(() => parseTokenFormats(value));
}
