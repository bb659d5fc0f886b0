import type { Sink } from '@vqrae/graph';
import type { ImageBatchRecord, TokenOutputs } from '@vqrae/tokenizer';
import { tokenFormatSink } from './token-sink.js';
import type { TokenFormat, TokenSequence } from './types.js';

export interface TokenFileSinkOptions {
  readonly outDir: string;
  /** Output formats (default `['arrow']`). */
  readonly formats?: readonly TokenFormat[];
  /** Codebook size k of the tokenizer (bounds every id; picks uint16 or int32 on disk). */
  readonly codebookSize: number;
  /** Token grid `[h, w]` (default: square, √N per side). */
  readonly grid?: readonly [number, number];
  /** Provenance stored with every file, `vqrae.*` keys → JSON strings. */
  readonly metadata?: ReadonlyMap<string, string>;
  /** Sink name (default `token-files`). */
  readonly name?: string;
}

/** The bare-code sequences of a tokenized batch, one per sample, in order (views of the batch's indices). */
export function sequencesOfBatch(batch: ImageBatchRecord & TokenOutputs, grid: readonly [number, number]): TokenSequence[] {
  const n = batch.tokensPerImage;
  return batch.metas.map((meta, b) => ({ key: meta.key, shard: meta.shard, aug: 'none', ids: batch.indices.subarray(b * n, (b + 1) * n), grid, side: {} }));
}

function squareGrid(tokens: number, where: string): [number, number] {
  const side = Math.round(Math.sqrt(tokens));
  if (side * side !== tokens) throw new Error(`${where}: ${tokens} tokens per image is not a square grid; pass 'grid'`);
  return [side, side];
}

/**
 * Tokenized batches (the `tokenize` / `reconstruct` stage records) → token files, one unit per input shard in every
 * requested format (see `tokenFormatSink`: each file written atomically). Result: the files written, in order.
 *
 * @example
 * graph.pipe(tokenizeStage(engine)).to(tokenFileSink({ outDir: 'tokens', codebookSize: engine.codebookSize }))
 */
export function tokenFileSink(options: TokenFileSinkOptions): Sink<ImageBatchRecord & TokenOutputs, { files: string[] }> {
  const name = options.name ?? 'token-files';
  const formats = options.formats ?? ['arrow'];
  let grid = options.grid;
  let inner: Sink<TokenSequence, { files: string[] }> | undefined;
  const open = (tokensPerImage: number): Sink<TokenSequence, { files: string[] }> => {
    grid ??= squareGrid(tokensPerImage, name);
    return tokenFormatSink({
      formats,
      outDir: options.outDir,
      config: {
        vocabSize: options.codebookSize,
        codebookSize: options.codebookSize,
        grid,
        side: { cls: false, txt: false, json: false },
        withAug: false,
        withCodes: false,
        metadata: options.metadata ?? new Map(),
      },
    });
  };
  return {
    name,
    describe: () => `${name}(${formats.join('+')} → ${options.outDir}, one unit per shard)`,
    async write(batch, ctx) {
      inner ??= open(batch.tokensPerImage);
      for (const sequence of sequencesOfBatch(batch, grid!)) await inner.write(sequence, ctx);
    },
    async finish(ctx) {
      return inner ? await inner.finish!(ctx) : { files: [] };
    },
    async abort(error, ctx) {
      await inner?.abort?.(error, ctx);
    },
  };
}
