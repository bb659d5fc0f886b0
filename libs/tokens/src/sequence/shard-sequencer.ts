import type { SideMembers, TokenSequence } from '../types.js';
import { captionOf, type CaptionSource } from './caption.js';
import { SequencePacker } from './pack.js';
import { sequenceRenderer, type SequenceTemplate } from './template.js';
import type { TextTokenizer } from './text-tokenizer.js';
import { isIdentityPlan, type VocabPlan } from './vocab.js';

/** The sequence layer of one dump: placement, template (captions), optional packing. */
export interface SequenceLayer {
  readonly plan: VocabPlan;
  readonly template: SequenceTemplate;
  readonly text?: TextTokenizer;
  readonly caption: CaptionSource;
  /** `--pack L` with the padding id. */
  readonly pack?: { readonly length: number; readonly pad: number };
}

/** One tokenised image view as the model stage hands it over. */
export interface EncodedImage {
  readonly key: string;
  readonly shard: string;
  readonly aug: string;
  /** Bare codebook indices `[h·w]`, row-major. */
  readonly codes: Int32Array;
  readonly side: SideMembers;
}

/** True when the layer leaves ids equal to the bare codes (no offset, specials, text or packing). */
export function isBareLayer(layer: SequenceLayer): boolean {
  return isIdentityPlan(layer.plan) && layer.pack === undefined && layer.template.parts.length === 1;
}

/**
 * Turns one shard's tokenised images into the sequences the writers receive, in order. Without packing, one sequence
 * per image view; with packing, rows of exactly L ids whose `docStarts` mark each sample, never crossing the shard.
 * Call `finish` at the end of the shard to get the last packed row.
 */
export class ShardSequencer {
  private readonly render: (input: { codes: Int32Array; caption?: string; where: string }) => Int32Array;
  private readonly packer?: SequencePacker;
  private first?: EncodedImage;
  private readonly bare: boolean;

  constructor(private readonly layer: SequenceLayer) {
    this.render = sequenceRenderer(layer.template, layer.plan, layer.text);
    this.bare = isBareLayer(layer);
    if (layer.pack) this.packer = new SequencePacker(layer.pack.length, layer.pack.pad);
  }

  add(image: EncodedImage): TokenSequence[] {
    const where = `shard ${image.shard} sample '${image.key}'${image.aug !== 'none' ? ` (${image.aug})` : ''}`;
    const caption = this.layer.template.usesCaption ? captionOf(image.side, this.layer.caption, where) : undefined;
    const ids = this.render({ codes: image.codes, ...(caption !== undefined ? { caption } : {}), where });
    const grid = this.layer.plan.grid;
    if (!this.packer) {
      return [{ key: image.key, shard: image.shard, aug: image.aug, ids, ...(this.bare ? {} : { codes: image.codes }), grid, side: image.side }];
    }
    const rows = this.packer.add({ key: image.key, ids });
    const out = rows.map((row) => this.packedSequence(row));
    if (!this.first || rows.length > 0) this.first = image;
    return out;
  }

  /** The last, padded row of the shard (packing only). */
  finish(): TokenSequence[] {
    return this.packer ? this.packer.flush().map((row) => this.packedSequence(row)) : [];
  }

  private packedSequence(row: { ids: Int32Array; docStarts: Int32Array }): TokenSequence {
    const first = this.first!;
    return { key: first.key, shard: first.shard, aug: first.aug, ids: row.ids, grid: this.layer.plan.grid, docStarts: row.docStarts, side: {} };
  }
}
