/**
 * Shared types of token dumps: the sequence record that the sequence layer (vocabulary placement, captions, packing,
 * augmentation) hands to the format writers, and the per-shard writer interface every output format implements.
 */

/** The output formats of `dump-tokens --format` (comma list; default `arrow`). */
export const TOKEN_FORMATS = ['arrow', 'parquet', 'megatron', 'wds', 'jsonl'] as const;
export type TokenFormat = (typeof TOKEN_FORMATS)[number];

/** Pass-through members of the input sample (WebDataset `.cls`, `.txt`, `.json`), absent when the sample had none. */
export interface SideMembers {
  /** Integer class label (`.cls`). */
  readonly cls?: number;
  /** Caption text (`.txt`). */
  readonly txt?: string;
  /** Raw JSON text (`.json`), passed through unparsed. */
  readonly json?: string;
}

/**
 * One token sequence: normally one image (one augmentation of it), or one packed row of several documents.
 * `ids` is what a trainer reads; `codes` keeps the bare codebook indices when they differ from `ids`.
 */
export interface TokenSequence {
  /** Input sample key (for a packed row: the key of its first document). */
  readonly key: string;
  /** Input shard the sample came from. */
  readonly shard: string;
  /** Augmentation that produced the image: `'none'`, `'flip'`, `'tencrop-0'` … `'tencrop-9'`. */
  readonly aug: string;
  /**
   * Final token ids, in order: token offset, special tokens (boi/eoi/eol) and caption tokens already applied, or the
   * bare codebook indices (row-major over the grid, n = r·w + c) when nothing is configured. Non-negative.
   */
  readonly ids: Int32Array;
  /** Bare codebook indices `[h·w]` (row-major), when `ids` is not already exactly them. */
  readonly codes?: Int32Array;
  /** Token grid `[h, w]` of one image. */
  readonly grid: readonly [number, number];
  /** Packed rows only: start offsets into `ids` of each document (first is 0, strictly increasing). */
  readonly docStarts?: Int32Array;
  readonly side: SideMembers;
}

/** One file produced by a writer for one shard unit; `name` is relative to the output folder. */
export interface TokenFile {
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** What every format writer of one dump knows up front (fixed per dump so every shard file has one layout). */
export interface TokenWriterConfig {
  /** Base name of the shard unit without extension, e.g. `tokens-rank0-000003`; each format adds its extension(s). */
  readonly baseName: string;
  /**
   * Exclusive upper bound of every id in `ids` (codebook size when nothing is configured, else the vocabulary
   * size from `vocab.json`): chooses the on-disk token dtype (uint16 when ≤ 65536, else int32).
   */
  readonly vocabSize: number;
  /** Size of the bare codebook (bound of `codes`). */
  readonly codebookSize: number;
  /** Token grid `[h, w]` of every image of the dump. */
  readonly grid: readonly [number, number];
  /** Which side members exist in this dump (fixed so that every file has one schema). */
  readonly side: { readonly cls: boolean; readonly txt: boolean; readonly json: boolean };
  /** Whether rows carry an `aug` column (true when `--augment` is not `none`). */
  readonly withAug: boolean;
  /** Whether `ids` are not the bare codes (offset/specials/captions/packing configured). */
  readonly withCodes: boolean;
  /** Provenance, `vqrae.*` keys → JSON strings; stored in the format's own metadata or a sidecar JSON. */
  readonly metadata: ReadonlyMap<string, string>;
}

/**
 * Writer of one format for one shard unit. `add` buffers sequences in order; `finish` returns every file of the
 * unit (bytes, not yet written) so that the exactly-once machinery commits all formats of a shard as one atomic unit.
 */
export interface TokenShardWriter {
  readonly format: TokenFormat;
  /** File extensions this writer produces, e.g. `['.bin', '.idx', '.meta.json']`. */
  readonly extensions: readonly string[];
  add(sequence: TokenSequence): void;
  finish(): Promise<TokenFile[]>;
}

/** Creates a writer of one format for one shard unit. */
export type TokenWriterFactory = (config: TokenWriterConfig) => TokenShardWriter;
