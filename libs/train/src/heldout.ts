import { DatasetSpec, loadImage, pixelBatch, DEFAULT_IMAGE_MEMBERS, type PixelBatch, type RemoteShardOptions, type RgbImage } from '@vqrae/data';
import { CodebookUsage, pixel01Image, psnr } from '@vqrae/eval';
import type { FeatureEngine, TokenizerEngine } from '@vqrae/tokenizer';

/** Held-out images decoded once, centre-cropped to the model's input size, as one host pixel01 block. */
export interface HeldOutSet {
  /** `[M, S, S, 3]` pixel01. */
  readonly pixels: PixelBatch;
  readonly keys: readonly string[];
}

/** Reads up to `limit` images of `shards` (first epoch, spec order), centre crop `size`; `remote`: http(s) retries/cache. */
export async function loadHeldOut(shards: string, size: number, limit: number, remote?: RemoteShardOptions): Promise<HeldOutSet> {
  const spec = new DatasetSpec({ shards, epochs: 1, limit, ...(remote ? { remote } : {}) });
  const images: RgbImage[] = [];
  const keys: string[] = [];
  for await (const sample of spec.open({ epoch: 0 })) {
    const member = DEFAULT_IMAGE_MEMBERS.find((ext) => sample.files.has(ext));
    if (member === undefined) throw new Error(`held-out set: sample ${sample.meta.key} (shard ${sample.meta.shard}) has no image`);
    images.push(await loadImage(sample.files.get(member)!, { crop: { protocol: 'center', size } }, sample.meta.key));
    keys.push(sample.meta.key);
  }
  if (images.length === 0) throw new Error(`held-out set: no images in ${shards}`);
  return { pixels: pixelBatch(images), keys }; // [M, S, S, 3]
}

/** Images `[start, start + count)` of a pixel batch (a view, no copy). */
function slicePixels(pixels: PixelBatch, start: number, count: number): PixelBatch {
  const per = pixels.size * pixels.size * 3;
  return { data: pixels.data.subarray(start * per, (start + count) * per), batch: count, size: pixels.size };
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
 * Reconstructs the held-out set with `engine` (the EMA weights, batches of `batchSize`): PSNR, codebook statistics
 * and (when `teacher` is given) the feature drift of the engine's encoder from the teacher's, summed in float64.
 * Returns the pixel01 reconstructions of the first `keepFirst` images (`[≤keepFirst, S, S, 3]`) for previews.
 * Host arrays only: the engines are borrowed and nothing here needs disposing.
 */
export async function evaluateHeldOut(
  engine: TokenizerEngine,
  teacher: FeatureEngine | null,
  set: HeldOutSet,
  step: number,
  batchSize: number,
  keepFirst: number,
): Promise<{ result: EvalResult; preview: Float32Array }> {
  const { batch: count, size } = set.pixels;
  const usage = new CodebookUsage(engine.codebookSize);
  const psnrs: number[] = [];
  let driftSq = 0;
  let teacherSq = 0;
  let driftElements = 0;
  let preview: Float32Array | null = null;
  const per = size * size * 3;
  const outPer = engine.outputSize * engine.outputSize * 3;
  for (let start = 0; start < count; start += batchSize) {
    const batch = slicePixels(set.pixels, start, Math.min(batchSize, count - start)); // [b, S, S, 3]
    const out = await engine.reconstruct(batch); // indices [b, N], pixels [b, S, S, 3] not clamped
    for (let i = 0; i < batch.batch; i++) {
      const ref = pixel01Image(batch.data.subarray(i * per, (i + 1) * per), size, size, 3);
      const rec = pixel01Image(out.pixels.subarray(i * outPer, (i + 1) * outPer), engine.outputSize, engine.outputSize, 3);
      psnrs.push(psnr(ref, rec)); // both rounded to uint8 (clamp, half up) inside
    }
    usage.add(out.indices);
    if (teacher) {
      const student = await engine.features(batch); // [b, N, d]
      const target = await teacher.features(batch); // [b, N, d]
      for (let j = 0; j < student.length; j++) {
        const diff = student[j]! - target[j]!;
        driftSq += diff * diff;
        teacherSq += target[j]! * target[j]!;
      }
      driftElements += student.length;
    }
    preview ??= out.pixels.slice(0, Math.min(keepFirst, batch.batch) * outPer);
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
