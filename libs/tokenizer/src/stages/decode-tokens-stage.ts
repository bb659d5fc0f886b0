/**
 * Stage `decodeTokens`: a batch of token rows → the same record plus the decoded images rounded to uint8
 * (`toUint8Pixels`, model-spec §8.1). Every row is checked first (length N, codes in [0, k)); a bad row fails the
 * batch with its key.
 * Ownership: host arrays only (see model-batch.ts); the engine is borrowed, never disposed here.
 */
import { toUint8Pixels } from '@vqrae/data';
import { asyncMapStage, type Stage } from '@vqrae/graph';
import type { TokenizerEngine } from '../engine/tokenizer-engine.js';
import { splitRows, type DecodedOutputs, type ModelStageOptions, type TokenBatchRecord } from './model-batch.js';

/** Checks every row and packs them into one `[B, N]` int32 block. */
export function packTokenRows(record: TokenBatchRecord, tokensPerImage: number, codebookSize: number): Int32Array {
  const { keys, tokens } = record;
  if (keys.length !== tokens.length) throw new Error(`token batch: ${keys.length} keys for ${tokens.length} rows`);
  const flat = new Int32Array(tokens.length * tokensPerImage); // [B, N]
  tokens.forEach((row, b) => {
    if (row.length !== tokensPerImage) throw new Error(`row '${keys[b]}' has ${row.length} tokens; the model expects ${tokensPerImage}`);
    for (let i = 0; i < row.length; i++) {
      const t = row[i]!;
      if (!Number.isInteger(t) || t < 0 || t >= codebookSize) throw new Error(`row '${keys[b]}' has token ${t} outside [0, ${codebookSize})`);
      flat[b * tokensPerImage + i] = t;
    }
  });
  return flat;
}

/** Token rows → decoded uint8 images `[S_out, S_out, 3]` with `engine.decode`. */
export function decodeTokensStage<B extends TokenBatchRecord>(
  engine: Pick<TokenizerEngine, 'label' | 'tokensPerImage' | 'codebookSize' | 'outputSize' | 'decode'>,
  options: ModelStageOptions = {},
): Stage<B, B & DecodedOutputs> {
  const name = options.name ?? 'decodeTokens';
  return asyncMapStage<B, B & DecodedOutputs>(
    name,
    async (record) => {
      const indices = packTokenRows(record, engine.tokensPerImage, engine.codebookSize); // [B, N]
      const pixels = await engine.decode(indices, record.tokens.length); // [B, S_out, S_out, 3] pixel01
      return { ...record, outputSize: engine.outputSize, decoded: splitRows(toUint8Pixels(pixels), record.tokens.length) };
    },
    {
      onError: options.onError ?? 'throw',
      describe: `${name}(${options.label ?? `${engine.label}, ${engine.tokensPerImage} tokens → ${engine.outputSize}px`})`,
    },
  );
}
