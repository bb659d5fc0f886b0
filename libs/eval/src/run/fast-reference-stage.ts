import { DEFAULT_IMAGE_MEMBERS, loadImage, type ImageSample, type ReferencedSample } from '@vqrae/data';
import { asyncMapStage, type ErrorPolicy, type Stage } from '@vqrae/graph';
import type { EvalCrop } from './eval-partial.js';

/**
 * Stage for `--decode-mode fast`: each sample arrives already decoded and cropped at the model input size by a fast
 * `decodeImages` (shrink-on-load inside the decoder, so the full image never exists); when the model's output size
 * differs, the scoring reference is decoded again from the same bytes, fast, at the output size (two reduced-scale
 * decodes of a large JPEG cost less than one full decode).
 */
export function evalFastReferenceStage(crop: EvalCrop, inputSize: number, outputSize: number, onError: ErrorPolicy): Stage<ImageSample, ReferencedSample> {
  const describe = inputSize === outputSize ? 'reference(= input)' : `reference(${crop}(${outputSize}), fast decode)`;
  return asyncMapStage<ImageSample, ReferencedSample>(
    'reference',
    async (sample) => {
      const image = sample.image;
      if (inputSize === outputSize) return { meta: sample.meta, image, reference: image };
      const member = DEFAULT_IMAGE_MEMBERS.find((ext) => sample.files.has(ext));
      if (member === undefined) throw new Error(`sample has no image member (looked for ${DEFAULT_IMAGE_MEMBERS.join(', ')})`);
      const reference = await loadImage(sample.files.get(member)!, { crop: { protocol: crop, size: outputSize }, decodeMode: 'fast' }, sample.meta.key);
      return { meta: sample.meta, image, reference };
    },
    { describe, concurrency: 4, onError },
  );
}
