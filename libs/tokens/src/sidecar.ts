import type { TokenSequence, TokenWriterConfig } from './types.js';

/** Sidecar JSON of the formats without their own metadata (megatron, wds, jsonl): `<base>.<format>.meta.json`. */
export interface TokenSidecar {
  readonly format: string;
  readonly dtype?: string;
  readonly grid: readonly [number, number];
  readonly vocabSize: number;
  readonly codebookSize: number;
  readonly rows: number;
  /** The input shard of every row, when they all share one (always, for a per-shard unit). */
  readonly shard?: string;
  /** Provenance, `vqrae.*` keys → JSON strings (as in Arrow/Parquet metadata). */
  readonly metadata: Record<string, string>;
  /** Megatron only (its `.bin`/`.idx` hold ids only): each document's key, shard, augmentation and side members. */
  readonly documents?: ReadonlyArray<SidecarDocument>;
}

export interface SidecarDocument {
  readonly key: string;
  readonly shard: string;
  readonly aug: string;
  readonly cls?: number;
  readonly txt?: string;
  readonly json?: string;
}

export const SIDECAR_EXTENSION = '.meta.json';

export function encodeSidecar(format: string, config: TokenWriterConfig, sequences: readonly TokenSequence[], options: { dtype?: string; documents?: boolean } = {}): Uint8Array {
  const { dtype } = options;
  const sidecar: TokenSidecar = {
    format,
    ...(dtype ? { dtype } : {}),
    grid: config.grid,
    vocabSize: config.vocabSize,
    codebookSize: config.codebookSize,
    rows: sequences.length,
    ...(new Set(sequences.map((s) => s.shard)).size === 1 ? { shard: sequences[0]!.shard } : {}),
    metadata: Object.fromEntries(config.metadata),
    ...(options.documents ? { documents: sequences.map((s) => ({ key: s.key, shard: s.shard, aug: s.aug, ...s.side })) } : {}),
  };
  return new TextEncoder().encode(`${JSON.stringify(sidecar, null, 2)}\n`);
}

export function decodeSidecar(bytes: Uint8Array, source: string): TokenSidecar {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`${source}: not a token sidecar JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const s = parsed as Partial<TokenSidecar>;
  if (typeof s !== 'object' || s === null || typeof s.format !== 'string' || !Array.isArray(s.grid) || typeof s.metadata !== 'object') {
    throw new Error(`${source}: not a token sidecar JSON (needs format, grid, metadata)`);
  }
  return s as TokenSidecar;
}
