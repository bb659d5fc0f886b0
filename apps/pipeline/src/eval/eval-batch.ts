import * as tf from '@tensorflow/tfjs-core';
import { cropImage, imagesToTensor, type CropSpec, type ImageSample, type RgbImage } from '@vqrae/data';
import { asyncMapStage, mapStage, type ErrorPolicy, type SampleMeta, type Stage, type StageContext } from '@vqrae/graph';
import type { VqraeModel } from '@vqrae/tokenizer';

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

/**
 * One reconstructed batch, entirely on the host (no tensors): every sink of the fan-out reads it and none has to
 * dispose anything. Images are [size, size, 3] uint8 row-major; `indices` is [B, tokensPerImage].
 */
export interface EvalBatch {
  readonly metas: readonly SampleMeta[];
  readonly size: number;
  readonly references: readonly Uint8Array[];
  /** round-half-up(255 · clamp(x̂, 0, 1)) (model-spec §8.1). */
  readonly reconstructions: readonly Uint8Array[];
  readonly indices: Int32Array;
  readonly tokensPerImage: number;
}

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

/**
 * Stage: groups samples into batches of at most `size` that never cross a shard boundary, so a rank split sees
 * exactly the batches of a single-process run (and so the same numbers). Emits arrays of samples (no tensors).
 */
export function shardBatchStage(size: number): Stage<EvalSample, EvalSample[]> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`shardBatchStage: size must be a positive integer, got ${size}`);
  return {
    name: 'batch',
    onError: 'throw',
    describe: () => `batch(${size}, within shard)`,
    run: async function* (input: AsyncIterable<EvalSample>, ctx: StageContext): AsyncGenerator<EvalSample[]> {
      let pending: EvalSample[] = [];
      for await (const sample of input) {
        if (pending.length > 0 && pending[0]!.meta.shard !== sample.meta.shard) {
          ctx.counters.emitted += pending.length;
          yield pending;
          pending = [];
        }
        pending.push(sample);
        if (pending.length === size) {
          ctx.counters.emitted += pending.length;
          yield pending;
          pending = [];
        }
      }
      if (pending.length > 0) {
        ctx.counters.emitted += pending.length;
        yield pending;
      }
    },
  };
}

/**
 * Stage: encode → quantize → decode one batch; reconstructions clamped to [0, 1] and rounded half up to uint8.
 * Every tensor it creates is disposed before it returns.
 */
export function reconstructStage(model: VqraeModel, label: string): Stage<EvalSample[], EvalBatch> {
  const size = model.outputSize;
  const tokensPerImage = model.tokensPerImage;
  return mapStage<EvalSample[], EvalBatch>(
    'reconstruct',
    (samples) => {
      const input = imagesToTensor(samples.map((s) => s.input), 'pixel01'); // [B, S_in, S_in, 3]
      let indices: tf.Tensor2D | undefined;
      let pixels: tf.Tensor4D | undefined;
      try {
        indices = model.tokenize(input); // [B, N] int32
        pixels = tf.tidy(() => {
          const decoded = model.decode(indices!); // [B, S_out, S_out, 3] pixel01, not clamped
          return tf.cast(tf.floor(tf.add(tf.mul(tf.clipByValue(decoded, 0, 1), 255), 0.5)), 'int32') as tf.Tensor4D;
        });
        const codes = indices.dataSync() as Int32Array;
        const values = pixels.dataSync() as Int32Array;
        const per = size * size * 3;
        const reconstructions = samples.map((_, i) => Uint8Array.from(values.subarray(i * per, (i + 1) * per)));
        return {
          metas: samples.map((s) => s.meta),
          size,
          references: samples.map((s) => s.reference.data),
          reconstructions,
          indices: Int32Array.from(codes),
          tokensPerImage,
        };
      } finally {
        input.dispose();
        indices?.dispose();
        pixels?.dispose();
      }
    },
    { describe: `reconstruct(${label}, round-half-up uint8)` },
  );
}
