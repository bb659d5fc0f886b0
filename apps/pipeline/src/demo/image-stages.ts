import path from 'node:path';
import fs from 'node:fs';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import { asyncMapStage, fromIterable, mapStage, type SampleMeta, type Source, type Stage } from '@vqrae/graph';

/**
 * Small image stages for the demo graph (sharp for decoding/cropping, tfjs for statistics). The full data pipeline
 * (WebDataset shards, crop protocols matching the Python references) lives in @vqrae/data.
 */

export interface ImageFileItem {
  readonly meta: SampleMeta;
  readonly file: string;
}

/** Raw interleaved RGB pixels, row-major. */
export interface RgbItem {
  readonly meta: SampleMeta;
  readonly width: number;
  readonly height: number;
  readonly pixels: Buffer; // [H, W, 3] uint8
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

export interface StatsItem extends RgbItem {
  readonly stats: ImageStats;
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** The images of a folder (sorted), `repeat` times over; keys are file stems (`#2`… on later passes). */
export function imageFolderSource(dir: string, repeat: number): Source<ImageFileItem> {
  const files = fs.readdirSync(dir).filter((f) => IMAGE_EXT.has(path.extname(f).toLowerCase())).sort();
  const items: ImageFileItem[] = [];
  for (let pass = 0; pass < repeat; pass++) {
    files.forEach((f, index) => {
      const stem = path.basename(f, path.extname(f));
      items.push({ meta: { key: pass === 0 ? stem : `${stem}#${pass + 1}`, shard: path.basename(dir), index }, file: path.join(dir, f) });
    });
  }
  const shown = repeat > 1 ? `, ×${repeat}` : '';
  return fromIterable('images', items, { describe: `images(${path.basename(dir)}/*: ${files.length} files${shown})` });
}

/** Decodes a file to RGB (alpha flattened on black), `concurrency` images at once, order kept. */
export function decodeStage(concurrency: number): Stage<ImageFileItem, RgbItem> {
  return asyncMapStage(
    'decode',
    async (item: ImageFileItem) => {
      const { data, info } = await sharp(item.file).flatten({ background: '#000' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`expected 3 channels after flatten, got ${info.channels}`);
      return { meta: item.meta, width: info.width, height: info.height, pixels: data };
    },
    { concurrency, describe: 'decode(sharp)' },
  );
}

/** Resizes the shorter side to `size` and crops the centre square (sharp `fit: cover`, cubic). */
export function centreCropStage(size: number, concurrency: number): Stage<RgbItem, RgbItem> {
  return asyncMapStage(
    'crop',
    async (item: RgbItem) => {
      const pixels = await sharp(item.pixels, { raw: { width: item.width, height: item.height, channels: 3 } })
        .resize(size, size, { fit: 'cover', position: 'centre', kernel: 'cubic' })
        .raw()
        .toBuffer();
      return { meta: item.meta, width: size, height: size, pixels };
    },
    { concurrency, describe: `centre-crop(${size})` },
  );
}

/** Per-image colour statistics on the active tfjs backend. Tensors are created and disposed inside (none escape). */
export function statsStage(): Stage<RgbItem, StatsItem> {
  return mapStage('stats', (item: RgbItem) => ({ ...item, stats: imageStats(item) }), { describe: 'stats(mean, std, colourfulness)' });
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
