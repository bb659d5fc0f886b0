import { cropImage, type CropSpec, type ImageSample, type RgbImage } from '@vqrae/data';
import { asyncMapStage, type ErrorPolicy, type SampleMeta, type Stage, type StageContext } from '@vqrae/graph';
import type { DecodedOutputs, ImageBatchRecord, TokenOutputs } from '@vqrae/tokenizer';

/** Crop protocols `vqrae eval` accepts (model-spec §8.1 uses `adm`). */
export type EvalCrop = 'adm' | 'center';

/** One decoded sample cropped twice: at the model's input size and at its output size (the scoring reference). */
export interface EvalSample {
  readonly meta: SampleMeta;
  /** [inputSize, inputSize, 3] uint8. */
  readonly input: RgbImage;
  /** [outputSize, outputSize, 3] uint8; the same object as `input` when the sizes agree. */
  readonly reference: RgbImage;
}

/** One batch of eval samples within a shard: model inputs and the scoring references (`[S_out, S_out, 3]` uint8). */
export interface EvalInputBatch extends ImageBatchRecord {
  readonly references: readonly Uint8Array[];
}

/**
 * One reconstructed batch, entirely on the host (no tensors): every sink of the fan-out reads it and none has to
 * dispose anything. `decoded` holds round-half-up(255 · clamp(x̂, 0, 1)) (model-spec §8.1) as `[S_out, S_out, 3]`
 * uint8 per sample; `indices` is `[B, tokensPerImage]`.
 */
export type EvalBatch = EvalInputBatch & TokenOutputs & DecodedOutputs;

/** Stage: crops each decoded image with `crop` at the model input size and, if it differs, at the output size. */
export function evalCropStage(crop: EvalCrop, inputSize: number, outputSize: number, onError: ErrorPolicy): Stage<ImageSample, EvalSample> {
  const at = (size: number): CropSpec => ({ protocol: crop, size });
  const describe = inputSize === outputSize ? `${crop}(${inputSize})` : `${crop}(${inputSize} in, ${outputSize} reference)`;
  return asyncMapStage<ImageSample, EvalSample>(
    'crop',
    async (sample) => {
      const input = await cropImage(sample.image, at(inputSize), sample.meta.key);
      const reference = inputSize === outputSize ? input : await cropImage(sample.image, at(outputSize), sample.meta.key);
      return { meta: sample.meta, input, reference };
    },
    { describe, concurrency: 4, onError },
  );
}

/** The batch record of some samples: inputs for the model, references for the sinks. */
function inputBatch(samples: readonly EvalSample[]): EvalInputBatch {
  return { metas: samples.map((s) => s.meta), images: samples.map((s) => s.input), references: samples.map((s) => s.reference.data) };
}

/**
 * Stage: groups samples into batches of at most `size` that never cross a shard boundary, so a rank split sees
 * exactly the batches of a single-process run (and so the same numbers). Emits batch records (no tensors).
 */
export function shardBatchStage(size: number): Stage<EvalSample, EvalInputBatch> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`shardBatchStage: size must be a positive integer, got ${size}`);
  return {
    name: 'batch',
    onError: 'throw',
    describe: () => `batch(${size}, within shard)`,
    run: async function* (input: AsyncIterable<EvalSample>, ctx: StageContext): AsyncGenerator<EvalInputBatch> {
      let pending: EvalSample[] = [];
      for await (const sample of input) {
        if (pending.length > 0 && pending[0]!.meta.shard !== sample.meta.shard) {
          ctx.counters.emitted += pending.length;
          yield inputBatch(pending);
          pending = [];
        }
        pending.push(sample);
        if (pending.length === size) {
          ctx.counters.emitted += pending.length;
          yield inputBatch(pending);
          pending = [];
        }
      }
      if (pending.length > 0) {
        ctx.counters.emitted += pending.length;
        yield inputBatch(pending);
      }
    },
  };
}
