/**
 * Stage `tokenize`: a batch of images → the same record plus their code indices `[B, N]`.
 * Ownership: host arrays only (see model-batch.ts); the engine is borrowed, never disposed here.
 */
import { pixelBatch } from '@vqrae/data';
import { asyncMapStage, type Stage } from '@vqrae/graph';
import type { TokenizerEngine } from '../engine/tokenizer-engine.js';
import type { ImageBatchRecord, ModelStageOptions, TokenOutputs } from './model-batch.js';

/** Images → codes with `engine.tokenize` (first-minimum tie rule). */
export function tokenizeStage<B extends ImageBatchRecord>(
  engine: Pick<TokenizerEngine, 'label' | 'tokensPerImage' | 'tokenize'>,
  options: ModelStageOptions = {},
): Stage<B, B & TokenOutputs> {
  const name = options.name ?? 'tokenize';
  return asyncMapStage<B, B & TokenOutputs>(
    name,
    async (record) => {
      const indices = await engine.tokenize(pixelBatch(record.images)); // [B, N]
      return { ...record, indices, tokensPerImage: engine.tokensPerImage };
    },
    { onError: options.onError ?? 'throw', describe: `${name}(${options.label ?? engine.label})` },
  );
}
