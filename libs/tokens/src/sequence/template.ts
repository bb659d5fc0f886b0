import type { SpecialRole, VocabPlan } from './vocab.js';
import { imageRows } from './vocab.js';
import type { TextTokenizer } from './text-tokenizer.js';

/**
 * A sequence template such as `'{boi}{image}{eoi}{caption}{eos}'`: placeholders `{image}` (the image's codes with
 * the offset and `eol` applied), `{caption}` (the sample's caption through the text tokenizer), `{boi}`, `{eoi}`,
 * `{bos}`, `{eos}` (special ids); any other text is literal and goes through the text tokenizer (so `'{image} a photo'`
 * needs `--text-tokenizer`). `{{` and `}}` are literal braces.
 */
export type TemplatePart =
  | { readonly kind: 'image' }
  | { readonly kind: 'caption' }
  | { readonly kind: 'special'; readonly role: SpecialRole }
  | { readonly kind: 'text'; readonly text: string };

export interface SequenceTemplate {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  readonly usesCaption: boolean;
}

const PLACEHOLDER_ROLES: readonly SpecialRole[] = ['boi', 'eoi', 'bos', 'eos'];

/** Parses a template; errors name the placeholder and list the known ones. */
export function parseTemplate(source: string): SequenceTemplate {
  const parts: TemplatePart[] = [];
  let text = '';
  const flush = (): void => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if ((ch === '{' || ch === '}') && source[i + 1] === ch) {
      text += ch;
      i += 1;
    } else if (ch === '{') {
      const end = source.indexOf('}', i);
      if (end < 0) throw new Error(`--template: '{' at position ${i} is never closed (write '{{' for a literal brace)`);
      const name = source.slice(i + 1, end);
      flush();
      if (name === 'image') parts.push({ kind: 'image' });
      else if (name === 'caption') parts.push({ kind: 'caption' });
      else if ((PLACEHOLDER_ROLES as readonly string[]).includes(name)) parts.push({ kind: 'special', role: name as SpecialRole });
      else throw new Error(`--template: unknown placeholder {${name}}; known: {image}, {caption}, ${PLACEHOLDER_ROLES.map((r) => `{${r}}`).join(', ')}`);
      i = end;
    } else if (ch === '}') {
      throw new Error(`--template: '}' at position ${i} without '{' (write '}}' for a literal brace)`);
    } else {
      text += ch;
    }
  }
  flush();
  const images = parts.filter((p) => p.kind === 'image').length;
  if (images !== 1) throw new Error(`--template '${source}': needs exactly one {image}, found ${images}`);
  return { source, parts, usesCaption: parts.some((p) => p.kind === 'caption') };
}

/** The default template: `{boi}{image}{eoi}`, then `{caption}{eos}` when captions are tokenised; unset specials dropped. */
export function defaultTemplate(plan: VocabPlan, withCaption: boolean): SequenceTemplate {
  const s = plan.specials;
  const source = [s.boi !== undefined ? '{boi}' : '', '{image}', s.eoi !== undefined ? '{eoi}' : '', withCaption ? '{caption}' : '', withCaption && s.eos !== undefined ? '{eos}' : ''].join('');
  return parseTemplate(source);
}

/**
 * Checks a template against the plan and tokenizer before any image is read: every special it names is set, and
 * captions or literal text have a text tokenizer.
 */
export function checkTemplate(template: SequenceTemplate, plan: VocabPlan, text: TextTokenizer | undefined): void {
  for (const part of template.parts) {
    if (part.kind === 'special' && plan.specials[part.role] === undefined) throw new Error(`--template '${template.source}' uses {${part.role}} but --${part.role} is not set`);
    if ((part.kind === 'caption' || part.kind === 'text') && !text) {
      throw new Error(`--template '${template.source}' has ${part.kind === 'caption' ? '{caption}' : `literal text ${JSON.stringify(part.text)}`}: pass --text-tokenizer tokenizer.json`);
    }
  }
}

/** Everything one sample contributes to its sequence. */
export interface SequenceInput {
  /** Bare codebook indices `[h·w]`, row-major. */
  readonly codes: Int32Array;
  readonly caption?: string;
  /** Names the sample in errors, e.g. `shard-000.tar sample 'k17'`. */
  readonly where: string;
}

/**
 * Renders one sample's ids. Literal template text is tokenised once per renderer; a `{caption}` without a caption
 * is an error naming the sample.
 */
export function sequenceRenderer(template: SequenceTemplate, plan: VocabPlan, text: TextTokenizer | undefined): (input: SequenceInput) => Int32Array {
  checkTemplate(template, plan, text);
  const literal = new Map<number, Int32Array>();
  template.parts.forEach((part, i) => {
    if (part.kind === 'text') literal.set(i, text!.encode(part.text));
  });
  return (input) => {
    const pieces: Int32Array[] = template.parts.map((part, i) => {
      switch (part.kind) {
        case 'image':
          return imageRows(input.codes, plan, input.where);
        case 'special':
          return Int32Array.of(plan.specials[part.role]!);
        case 'text':
          return literal.get(i)!;
        case 'caption':
          if (input.caption === undefined) throw new Error(`${input.where}: --template has {caption} but the sample has no caption`);
          return text!.encode(input.caption);
      }
    });
    const out = new Int32Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
}
