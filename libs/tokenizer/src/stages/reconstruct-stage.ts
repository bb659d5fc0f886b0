/**
 * Stage `reconstruct`: a batch of images → the same record plus their codes `[B, N]` and the decoded images rounded
 * to uint8 (clamp to [0, 1], round half up: `toUint8Pixels`, model-spec §8.1).
 * Ownership: host arrays only (see model-batch.ts); the engine is borrowed, never disposed here.
 */
import { pixelBatch, toUint8Pixels } from '@vqrae/data';
import { asyncMapStage, type Stage } from '@vqrae/graph';
import type { TokenizerEngine } from '../engine/tokenizer-engine.js';
import { splitRows, type DecodedOutputs, type ImageBatchRecord, type ModelStageOptions, type TokenOutputs } from './model-batch.js';

/** Images → codes → decoded uint8 images, one engine call per batch. */
export function reconstructStage<B extends ImageBatchRecord>(
  engine: Pick<TokenizerEngine, 'label' | 'tokensPerImage' | 'outputSize' | 'reconstruct'>,
  options: ModelStageOptions = {},
): Stage<B, B & TokenOutputs & DecodedOutputs> {
  const name = options.name ?? 'reconstruct';
  return asyncMapStage<B, B & TokenOutputs & DecodedOutputs>(
    name,
    async (record) => {
      const out = await engine.reconstruct(pixelBatch(record.images)); // indices [B, N], pixels [B, S_out, S_out, 3]
      const decoded = splitRows(toUint8Pixels(out.pixels), record.images.length); // [S_out, S_out, 3] each
      return { ...record, indices: out.indices, tokensPerImage: engine.tokensPerImage, outputSize: engine.outputSize, decoded };
    },
    { onError: options.onError ?? 'throw', describe: `${name}(${options.label ?? `${engine.label}, round-half-up uint8`})` },
  );
}
