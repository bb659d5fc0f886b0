import * as tf from '@tensorflow/tfjs-core';
import type { ImageSample } from '@vqrae/data';
import { mapStage, type SampleMeta, type Stage } from '@vqrae/graph';

/**
 * The demo's own image stage: per-image colour statistics on tfjs (the folder source, decode and crop are the
 * library's `imageFolderSource`, `decodeImages` and `cropImages` of @vqrae/data).
 */

/** Raw interleaved RGB pixels, row-major. */
export interface RgbItem {
  readonly meta: SampleMeta;
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array; // [H, W, 3] uint8
}

export interface ImageStats {
  readonly key: string;
  /** Per-channel mean and standard deviation of the crop, in [0, 1]. */
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** Rec. 709 luma of the mean colour. */
  readonly luma: number;
  /** Hasler & Süsstrunk colourfulness (0 = grey; > 0.3 very colourful, on [0, 1] pixels). */
  readonly colourfulness: number;
}

/** A decoded, cropped image with its colour statistics. */
export interface StatsItem extends ImageSample {
  readonly stats: ImageStats;
}

/** Per-image colour statistics on the active tfjs backend. Tensors are created and disposed inside (none escape). */
export function statsStage(): Stage<ImageSample, StatsItem> {
  return mapStage(
    'stats',
    (sample: ImageSample) => ({ ...sample, stats: imageStats({ meta: sample.meta, width: sample.image.width, height: sample.image.height, pixels: sample.image.data }) }),
    { describe: 'stats(mean, std, colourfulness)' },
  );
}

/** Mean/std per channel and colourfulness of one RGB image. */
export function imageStats(item: RgbItem): ImageStats {
  const values = tf.tidy(() => {
    const image = tf.div(tf.tensor3d(item.pixels, [item.height, item.width, 3], 'int32'), 255); // [H, W, 3] float
    const { mean, variance } = tf.moments(image, [0, 1]); // [3], [3]
    const [r, g, b] = tf.split(image, 3, 2); // 3 × [H, W, 1]
    const rg = tf.sub(r, g);
    const yb = tf.sub(tf.mul(tf.add(r, g), 0.5), b);
    const rgMoments = tf.moments(rg);
    const ybMoments = tf.moments(yb);
    return tf.concat([mean, tf.sqrt(variance), tf.stack([rgMoments.mean, rgMoments.variance, ybMoments.mean, ybMoments.variance])]); // [10]
  });
  const v = values.dataSync();
  values.dispose();
  const colourfulness = Math.sqrt(v[7] + v[9]) + 0.3 * Math.hypot(v[6], v[8]);
  return {
    key: item.meta.key,
    mean: [v[0], v[1], v[2]],
    std: [v[3], v[4], v[5]],
    luma: 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2],
    colourfulness,
  };
}
