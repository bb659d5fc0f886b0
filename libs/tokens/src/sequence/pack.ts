/** One document handed to the packer: a whole sample's sequence. */
export interface PackDocument {
  readonly key: string;
  readonly ids: Int32Array;
}

/** One packed row of exactly `length` ids. */
export interface PackedRow {
  /** `[length]`: the documents back to back, then `pad` up to the length. */
  readonly ids: Int32Array;
  /** Start offset of each document in `ids` (first is 0, strictly increasing). */
  readonly docStarts: Int32Array;
  /** Keys of the documents, in order (`keys[i]` starts at `docStarts[i]`). */
  readonly keys: readonly string[];
  /** Ids that are documents (the rest is padding). */
  readonly used: number;
}

/**
 * Greedy packing into fixed-length rows that never split a document: documents are appended in order while they
 * fit; the next one that does not fit closes the row, which is padded with `pad`. A document longer than the row is
 * an error naming its key (raise `--pack` or shorten the template). Rows never cross the unit the packer is used for
 * (one input shard), so each shard stays an atomic, exactly-once unit.
 */
export class SequencePacker {
  private ids: Int32Array;
  private starts: number[] = [];
  private keys: string[] = [];
  private used = 0;

  constructor(
    private readonly length: number,
    private readonly pad: number,
  ) {
    if (!Number.isSafeInteger(length) || length < 1) throw new Error(`--pack must be a positive integer, got ${length}`);
    this.ids = new Int32Array(length);
  }

  /** Adds a document; returns the row it closed, if any. */
  add(doc: PackDocument): PackedRow[] {
    if (doc.ids.length > this.length) throw new Error(`--pack ${this.length}: sample '${doc.key}' has ${doc.ids.length} ids, more than one row holds`);
    if (doc.ids.length === 0) return [];
    const out: PackedRow[] = [];
    if (this.used + doc.ids.length > this.length) out.push(this.close());
    this.starts.push(this.used);
    this.keys.push(doc.key);
    this.ids.set(doc.ids, this.used);
    this.used += doc.ids.length;
    return out;
  }

  /** Closes the last, partly filled row (end of the shard); empty when nothing is pending. */
  flush(): PackedRow[] {
    return this.used > 0 ? [this.close()] : [];
  }

  private close(): PackedRow {
    this.ids.fill(this.pad, this.used);
    const row: PackedRow = { ids: this.ids, docStarts: Int32Array.from(this.starts), keys: this.keys, used: this.used };
    this.ids = new Int32Array(this.length);
    this.starts = [];
    this.keys = [];
    this.used = 0;
    return row;
  }
}
