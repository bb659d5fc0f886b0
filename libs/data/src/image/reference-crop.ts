import { asyncMapStage, type ErrorPolicy, type SampleMeta, type Stage } from '@vqrae/graph';
import { cropImage } from './load-image.js';
import type { CropSpec, RgbImage } from './types.js';

/** A sample cropped for a model (`image`, at its input size) and for scoring (`reference`, at its output size). */
export interface ReferencedSample {
  readonly meta: SampleMeta;
  /** `[inputSize, inputSize, 3]` uint8. */
  readonly image: RgbImage;
  /** `[referenceSize, referenceSize, 3]` uint8; the same object as `image` when the sizes agree. */
  readonly reference: RgbImage;
}

/** Configuration of `cropWithReference`. */
export interface CropWithReferenceConfig {
  /** Square crop protocol applied at both sizes. */
  readonly protocol: 'adm' | 'center' | 'exact';
  readonly inputSize: number;
  /** Side of the reference crop (the decoder's output side); default `inputSize`. */
  readonly referenceSize?: number;
  readonly concurrency?: number;
  readonly onError?: ErrorPolicy;
  /** Stage name (default `crop`). */
  readonly name?: string;
}

/**
 * Stage: crops each decoded image with one protocol at the model's input size and, if it differs, at the reference
 * size, so a reconstruction can be scored against a reference of its own size without a side map. Errors name the
 * sample (the stage's error policy applies).
 */
export function cropWithReference<T extends { readonly meta: SampleMeta; readonly image: RgbImage }>(config: CropWithReferenceConfig): Stage<T, ReferencedSample> {
  const { protocol, inputSize } = config;
  const referenceSize = config.referenceSize ?? inputSize;
  const at = (size: number): CropSpec => ({ protocol, size });
  const describe = inputSize === referenceSize ? `${protocol}(${inputSize})` : `${protocol}(${inputSize} in, ${referenceSize} reference)`;
  return asyncMapStage<T, ReferencedSample>(
    config.name ?? 'crop',
    async (sample) => {
      const image = await cropImage(sample.image, at(inputSize), sample.meta.key);
      const reference = inputSize === referenceSize ? image : await cropImage(sample.image, at(referenceSize), sample.meta.key);
      return { meta: sample.meta, image, reference };
    },
    { describe, concurrency: config.concurrency ?? 4, onError: config.onError ?? 'throw' },
  );
}
