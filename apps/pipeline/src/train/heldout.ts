import * as tf from '@tensorflow/tfjs-core';
import { DatasetSpec, imagesToTensor, loadImage, DEFAULT_IMAGE_MEMBERS, type RgbImage } from '@vqrae/data';
import { CodebookUsage, pixel01Image, psnr } from '@vqrae/eval';
import type { ParamStore } from '@vqrae/nn';
import type { TokenizerParts } from './objectives.js';

/** Held-out images decoded once, centre-cropped to the model's input size; owns `images` (dispose()). */
export interface HeldOutSet {
  /** [M, S, S, 3] pixel01. */
  readonly images: tf.Tensor4D;
  readonly keys: readonly string[];
  dispose(): void;
}

/** Reads up to `limit` images of `shards` (first epoch, spec order), centre crop `size`. */
export async function loadHeldOut(shards: string, size: number, limit: number): Promise<HeldOutSet> {
  const spec = new DatasetSpec({ shards, epochs: 1, limit });
  const images: RgbImage[] = [];
  const keys: string[] = [];
  for await (const sample of spec.open({ epoch: 0 })) {
    const member = DEFAULT_IMAGE_MEMBERS.find((ext) => sample.files.has(ext));
    if (member === undefined) throw new Error(`held-out set: sample ${sample.meta.key} (shard ${sample.meta.shard}) has no image`);
    images.push(await loadImage(sample.files.get(member)!, { crop: { protocol: 'center', size } }, sample.meta.key));
    keys.push(sample.meta.key);
  }
  if (images.length === 0) throw new Error(`held-out set: no images in ${shards}`);
  const tensor = imagesToTensor(images, 'pixel01'); // [M, S, S, 3]
  return { images: tensor, keys, dispose: () => tensor.dispose() };
}

/** One held-out evaluation (EMA weights). */
export interface EvalResult {
  readonly step: number;
  readonly images: number;
  /** Mean over images of per-image PSNR on uint8-rounded images (spec §8.2). */
  readonly psnr: number;
  /** Codes used at least once over the pass / k. */
  readonly utilisation: number;
  /** exp(−Σ p log p) of the code histogram over the pass. */
  readonly perplexity: number;
  readonly codesUsed: number;
  /** Stage 2: mean over B·N·d of (Z_I − Z_T)² and ‖Z_I − Z_T‖ / ‖Z_T‖ over the pass; null in stage 1. */
  readonly driftMse: number | null;
  readonly driftRelative: number | null;
}

/**
 * Reconstructs the held-out set with the weights in `store` (batches of `batchSize`), measuring PSNR, codebook
 * statistics and (when `teacher` is given) the feature drift of the student encoder from the teacher.
 * Returns the reconstructions of the first `keepFirst` images ([≤keepFirst, S, S, 3], caller owns) for previews.
 */
export function evaluateHeldOut(
  parts: TokenizerParts,
  store: ParamStore,
  teacher: ParamStore | null,
  set: HeldOutSet,
  step: number,
  batchSize: number,
  keepFirst: number,
): { result: EvalResult; preview: tf.Tensor4D } {
  const [count, height, width] = set.images.shape;
  const usage = new CodebookUsage(parts.codebookSize);
  const psnrs: number[] = [];
  let driftSq = 0;
  let teacherSq = 0;
  let driftElements = 0;
  let preview: tf.Tensor4D | null = null;
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const out = tf.tidy(() => {
      const images = tf.slice(set.images, [start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D; // [b, S, S, 3]
      const features = parts.encode(store, images); // [b, N, d]
      const q = parts.quantize(store, features);
      const reconstruction = tf.clipByValue(parts.decode(store, q.quantized), 0, 1) as tf.Tensor4D; // [b, S, S, 3]
      const drift = teacher
        ? (() => {
            const target = parts.encode(teacher, images);
            return tf.stack([tf.sum(tf.squaredDifference(features, target)), tf.sum(tf.square(target))]); // [2]
          })()
        : tf.zeros([2]);
      return { reconstruction, counts: q.codeCounts, drift, elements: tf.scalar(features.size) };
    });
    const originals = tf.slice(set.images, [start, 0, 0, 0], [size, -1, -1, -1]);
    const a = originals.dataSync() as Float32Array;
    const b = out.reconstruction.dataSync() as Float32Array;
    originals.dispose();
    const pixels = height * width * 3;
    for (let i = 0; i < size; i++) {
      const ref = pixel01Image(a.subarray(i * pixels, (i + 1) * pixels), height, width, 3);
      const rec = pixel01Image(b.subarray(i * pixels, (i + 1) * pixels), height, width, 3);
      psnrs.push(psnr(ref, rec));
    }
    const batchCounts = out.counts.dataSync();
    for (let j = 0; j < usage.counts.length; j++) usage.counts[j]! += batchCounts[j]!; // per-code counts of this batch
    const [dsq, tsq] = out.drift.dataSync();
    driftSq += dsq!;
    teacherSq += tsq!;
    driftElements += out.elements.dataSync()[0]!;
    if (preview === null) {
      preview = tf.slice(out.reconstruction, [0, 0, 0, 0], [Math.min(keepFirst, size), -1, -1, -1]) as tf.Tensor4D;
    }
    tf.dispose([out.reconstruction, out.counts, out.drift, out.elements]);
  }
  const stats = usage.summary();
  const result: EvalResult = {
    step,
    images: count,
    psnr: psnrs.reduce((x, y) => x + y, 0) / psnrs.length,
    utilisation: stats.utilization,
    perplexity: stats.perplexity,
    codesUsed: stats.usedCodes,
    driftMse: teacher ? driftSq / driftElements : null,
    driftRelative: teacher ? Math.sqrt(driftSq / Math.max(teacherSq, 1e-30)) : null,
  };
  return { result, preview: preview! };
}
