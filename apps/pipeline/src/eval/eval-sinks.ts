import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { CodebookUsage, featureStatsSink, type FeatureExtractor, type FeatureStatsResult } from '@vqrae/eval';
import type { SampleMeta, Sink } from '@vqrae/graph';
import { encodePng } from '../images/image-output.js';
import type { EvalBatch } from './eval-batch.js';
import { writeFileAtomic } from '@vqrae/graph';

/** Which images of an {@link EvalBatch} a feature sink reads. */
export type EvalSide = 'reconstruction' | 'reference';

/** [B, size, size, 3] int32 tensor (uint8 values) of one side of a batch; the caller owns it. */
function sideTensor(batch: EvalBatch, side: EvalSide): tf.Tensor4D {
  const images = side === 'reconstruction' ? batch.decoded : batch.references;
  const per = batch.outputSize * batch.outputSize * 3;
  const values = new Int32Array(images.length * per);
  images.forEach((image, i) => values.set(image, i * per));
  return tf.tensor4d(values, [images.length, batch.outputSize, batch.outputSize, 3], 'int32');
}

/**
 * Sink: Fréchet statistics (float64 n, Σx, Σxxᵀ) of one side of every batch through `extractor`, via the eval lib's
 * `featureStatsSink`. The batch tensor it makes is disposed after each write.
 */
export function evalFeatureSink(extractor: FeatureExtractor, side: EvalSide, maxBatch: number): Sink<EvalBatch, FeatureStatsResult> {
  const name = side === 'reconstruction' ? 'fd-reconstructions' : 'fd-references';
  const inner = featureStatsSink({ extractor, range: 'uint8', use: 'reconstruction', maxBatch, name });
  return {
    name,
    describe: () => `${side} → ${inner.describe()}`,
    async write(batch, ctx) {
      const images = sideTensor(batch, side);
      try {
        await inner.write({ metas: batch.metas, images }, ctx);
      } finally {
        images.dispose();
      }
    },
    finish: async (ctx) => (await inner.finish!(ctx)) as FeatureStatsResult,
  };
}

/** Sink: code-usage counts over the whole pass (utilisation, perplexity, dead codes, histogram). */
export function codebookSink(codebookSize: number): Sink<EvalBatch, CodebookUsage> {
  const usage = new CodebookUsage(codebookSize);
  return {
    name: 'codebook',
    describe: () => `codebook-usage(k=${codebookSize})`,
    write: (batch) => usage.add(batch.indices),
    finish: () => usage,
  };
}

/** One preview written by {@link previewSink}: PNG files relative to the run folder. */
export interface PreviewEntry {
  readonly key: string;
  readonly shard: string;
  readonly original: string;
  readonly reconstruction: string;
}

/** `previews/previews.json`: the preview pairs and their image size. */
export interface PreviewIndex {
  readonly size: number;
  readonly previews: readonly PreviewEntry[];
}

/**
 * Sink: writes the first `count` original/reconstruction pairs as PNGs under `<dir>/previews/` and lists them in
 * `previews/previews.json` (the report grid and `merge-eval` read them back).
 */
export function previewSink(dir: string, count: number): Sink<EvalBatch, PreviewIndex> {
  const entries: PreviewEntry[] = [];
  let size = 0;
  const folder = path.join(dir, 'previews');
  const write = async (meta: SampleMeta, original: Uint8Array, reconstruction: Uint8Array): Promise<void> => {
    const stem = String(entries.length).padStart(4, '0');
    const entry = { key: meta.key, shard: meta.shard, original: `previews/${stem}-original.png`, reconstruction: `previews/${stem}-reconstruction.png` };
    await writeFileAtomic(path.join(dir, entry.original), await encodePng({ width: size, height: size, rgb: original }), { fsync: false, sweep: false });
    await writeFileAtomic(path.join(dir, entry.reconstruction), await encodePng({ width: size, height: size, rgb: reconstruction }), { fsync: false, sweep: false });
    entries.push(entry);
  };
  return {
    name: 'previews',
    describe: () => `previews(first ${count})`,
    async write(batch) {
      if (entries.length >= count) return;
      size = batch.outputSize;
      await fs.mkdir(folder, { recursive: true });
      for (let i = 0; i < batch.metas.length && entries.length < count; i++) await write(batch.metas[i]!, batch.references[i]!, batch.decoded[i]!);
    },
    async finish() {
      const index: PreviewIndex = { size, previews: entries };
      if (count > 0) {
        await fs.mkdir(folder, { recursive: true });
        await writeFileAtomic(path.join(folder, 'previews.json'), `${JSON.stringify(index, null, 2)}\n`);
      }
      return index;
    },
  };
}
