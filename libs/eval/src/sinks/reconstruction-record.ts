/**
 * The batch record the evaluation sinks read: structurally the output of the tokenizer's `reconstruct` stage over
 * `batchSamples` batches (samples with metadata, optional reference crops, codes and decoded uint8 images). Host
 * arrays only: no sink disposes anything in it, and any number of sinks may read the same record.
 */
import type { SampleMeta } from '@vqrae/graph';

/** A decoded reconstruction batch. */
export interface ReconstructionRecord {
  readonly metas: readonly SampleMeta[];
  /** Model inputs, `[S_in, S_in, 3]` uint8 each. */
  readonly images: readonly { readonly data: Uint8Array; readonly width: number; readonly height: number }[];
  /** Reference crops `[S_out, S_out, 3]` uint8; absent when the inputs are the references (S_in = S_out). */
  readonly references?: readonly Uint8Array[];
  /** Decoder output side S_out. */
  readonly outputSize: number;
  /** `[S_out, S_out, 3]` uint8 per sample (clamped, rounded half up by `toUint8Pixels`). */
  readonly decoded: readonly Uint8Array[];
}

/** A batch with its code indices `[B, N]` (what the `tokenize`/`reconstruct` stages add). */
export interface CodeRecord {
  readonly indices: Int32Array;
}

/** Which images of a reconstruction record a sink reads. */
export type ReconstructionSide = 'reconstruction' | 'reference';

/** A host batch of equally sized images (e.g. `HostImageBatch` of @vqrae/data) before any model. */
export interface ImageRecord {
  readonly metas: readonly SampleMeta[];
  readonly images: readonly { readonly data: Uint8Array; readonly width: number; readonly height: number }[];
}

/**
 * The reference pixels `[S_out, S_out, 3]` of sample `i`: its reference crop, else its input image when that has the
 * output size. Throws naming the sample (and the fix) when neither fits.
 */
export function referencePixels(record: ReconstructionRecord, i: number): Uint8Array {
  const given = record.references?.[i];
  if (given) return given;
  const image = record.images[i]!;
  if (image.width !== record.outputSize || image.height !== record.outputSize) {
    const meta = record.metas[i];
    throw new Error(`sample '${meta?.key}' (shard ${meta?.shard}): input is ${image.width}×${image.height} but the reconstruction is ${record.outputSize}×${record.outputSize} and the record has no reference crop (use cropWithReference with referenceSize = the output size)`);
  }
  return image.data;
}

/** The images of one side of a record, `[S_out, S_out, 3]` uint8 each. */
export function sideImages(record: ReconstructionRecord, side: ReconstructionSide): readonly Uint8Array[] {
  return side === 'reconstruction' ? record.decoded : record.metas.map((_, i) => referencePixels(record, i));
}

/**
 * Scores every reconstruction of a record against its reference ({@link referencePixels}): one `{ meta, values }`
 * row per image, `score(reference, decoded, side)` giving the values (uint8 `[side, side, 3]` each). The per-image
 * step the metric sinks share (`imageMetricsSink`: PSNR + SSIM rows; `psnrSink`: the PSNR mean).
 */
export function scoreReconstructions<V extends Record<string, number>>(
  record: ReconstructionRecord,
  score: (reference: Uint8Array, decoded: Uint8Array, side: number) => V,
): { readonly meta: SampleMeta; readonly values: V }[] {
  return record.metas.map((meta, i) => ({ meta, values: score(referencePixels(record, i), record.decoded[i]!, record.outputSize) }));
}
