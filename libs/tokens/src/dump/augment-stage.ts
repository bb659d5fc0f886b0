import type { ImageSample } from '@vqrae/data';
import { flatMapStage, type ErrorPolicy, type Stage } from '@vqrae/graph';
import { augmentViews, viewsPerImage, type Augment } from '../augment/views.js';

/** A cropped sample as one augmented view: same key and members, the view's pixels, and its aug tag. */
export interface AugmentedSample extends ImageSample {
  readonly aug: string;
}

/**
 * `--augment`: each cropped sample (at `protocolSize(mode, size)`) becomes its views at the model size, in order
 * (`none`, `flip`; or `tencrop-0` … `tencrop-9`). Placed between crop and batch, so a batch may hold several views of
 * one sample and still never crosses a shard. Each view becomes one row; the manifest's `written` then counts rows,
 * `viewsPerImage(mode)` per written sample.
 */
export function augmentStage(mode: Augment, size: number, onError: ErrorPolicy): Stage<ImageSample, AugmentedSample> {
  return flatMapStage<ImageSample, AugmentedSample>(
    'augment',
    (sample) => augmentViews(sample.image, mode, size).map((view) => ({ ...sample, image: { ...view.image, channels: 3 as const }, aug: view.aug })),
    { onError, describe: `augment(${mode}, ${viewsPerImage(mode)} view(s)/image at ${size}px)` },
  );
}
