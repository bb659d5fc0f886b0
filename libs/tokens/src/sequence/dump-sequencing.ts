import path from 'node:path';
import type { ShardSample } from '@vqrae/data';
import { writeFileAtomic } from '@vqrae/graph';
import { protocolSize, type Augment } from '../augment/views.js';
import { readSideFields } from '../side-fields.js';
import { captionOf, parseCaptionSource } from './caption.js';
import { SPECIAL_ROLES, planVocab, vocabJson, type SpecialRole, type VocabPlan } from './vocab.js';
import { checkTemplate, defaultTemplate, parseTemplate } from './template.js';
import { loadTextTokenizer, type TextTokenizer } from './text-tokenizer.js';
import { isBareLayer, type SequenceLayer } from './shard-sequencer.js';

/** The sequence options of a token dump, named like `vqrae dump-tokens`'s flags (ids may be token names of the text tokenizer). */
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
    if (!Number.isSafeInteger(id)) throw new Error(`--${role} ${value} is not a safe integer`);
    return id;
  }
  if (!text) throw new Error(`--${role} '${value}' is not an id; token names need --text-tokenizer`);
  const id = text.idOf(value);
  if (id === undefined) throw new Error(`--${role} '${value}' is not a token of ${text.source}`);
  return id;
}

/**
 * Validates a dump's sequence options against the model (codebook, grid, input size) and builds the sequence layer,
 * before any image is read; throws naming the option.
 */
export function resolveDumpSequencing(o: SequenceOptionValues, model: { codebookSize: number; grid: readonly [number, number]; inputSize: number }): DumpSequencing {
  const text = o.textTokenizer ? loadTextTokenizer(o.textTokenizer) : undefined;
  const specials: Partial<Record<SpecialRole, number>> = {};
  for (const role of SPECIAL_ROLES) {
    const value = o[role];
    if (value !== undefined) specials[role] = specialId(role, value, text);
  }
  // Packing pads with --pad, else with --eos (the pad id then stays out of the plan: one id, one role).
  const padId = specials.pad ?? specials.eos;
  if (o.pack !== undefined && padId === undefined) throw new Error('--pack needs --pad <id> (or --eos, used as padding)');
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
}

/** Writes `vocab.json` into the dump folder (atomic; identical on every rank, so a rewrite is harmless). */
export async function writeVocabJson(outDir: string, plan: VocabPlan): Promise<string> {
  const file = path.join(outDir, 'vocab.json');
  await writeFileAtomic(file, `${JSON.stringify(vocabJson(plan), null, 2)}\n`);
  return file;
}
