/**
 * Records and options shared by the model stages (tokenize, reconstruct, features, decodeTokens).
 *
 * Ownership: everything a model stage reads or adds is a host array (the engine interface never lets a tensor out),
 * so nothing in a record has to be disposed and any number of sinks may read the same record. A sink that needs a
 * tensor creates it from these arrays and disposes it before its `write` returns; no stage or sink mutates a record's
 * arrays (views such as `decoded[i]` share one buffer per batch).
 */
import type { RgbImage } from '@vqrae/data';
import type { ErrorPolicy, SampleMeta } from '@vqrae/graph';

/**
 * A batch of decoded, equally sized square images with each sample's metadata, in order (what `batchSamples` of
 * @vqrae/data emits). Extra fields pass through every model stage, so sinks after the model read the samples, their
 * references and the model outputs from one record.
 */
export interface ImageBatchRecord {
  readonly metas: readonly SampleMeta[];
  /** `[S, S, 3]` uint8 each, S = the engine's input side. */
  readonly images: readonly RgbImage[];
  /**
   * When asked for (`cropWithReference` before `batchSamples`): each sample's reference crop, `[S_ref, S_ref, 3]`
   * uint8 at the decoder's output side, the pixels a reconstruction is scored against. Absent: the images are the
   * references (input side = output side).
   */
  readonly references?: readonly Uint8Array[];
}

/** A batch of token rows: one code sequence `[N]` per sample, named by `keys` in errors. Extra fields pass through. */
export interface TokenBatchRecord {
  readonly keys: readonly string[];
  readonly tokens: readonly ArrayLike<number>[];
}

/** What `tokenize` adds: the codes of the whole batch. */
export interface TokenOutputs {
  /** Code indices `[B, N]` row-major (sample b: `indices.subarray(b·N, (b+1)·N)`). */
  readonly indices: Int32Array;
  readonly tokensPerImage: number;
}

/** What `reconstruct` and `decodeTokens` add: decoded images rounded to uint8 (`toUint8Pixels`, model-spec §8.1). */
export interface DecodedOutputs {
  /** Decoder output side S_out. */
  readonly outputSize: number;
  /** `[S_out, S_out, 3]` uint8 per sample, in order. */
  readonly decoded: readonly Uint8Array[];
}

/** What `features` adds. */
export interface FeatureOutputs {
  /** Per sample: `[N·d]` (pool none) or `[d]` (pool mean) float32. */
  readonly features: readonly Float32Array[];
  /** Rows per sample: N (pool none) or 1 (pool mean). */
  readonly featureTokens: number;
  readonly featureWidth: number;
}

/** Options every model stage takes. */
export interface ModelStageOptions {
  /** Stage name (unique within a graph: give the second stage of a kind another name). Default: the kind. */
  readonly name?: string;
  /** Shown in `describe()` as `<name>(<label>)`; default: the engine's label. */
  readonly label?: string;
  /** A failing batch: stop the graph (default) or skip the batch (its keys are recorded). */
  readonly onError?: ErrorPolicy;
}

/** `[B·N]` → one `[N]` view per sample (views share the buffer). */
export function splitRows<A extends Int32Array | Float32Array | Uint8Array>(flat: A, count: number): A[] {
  const per = flat.length / count;
  return Array.from({ length: count }, (_, b) => flat.subarray(b * per, (b + 1) * per) as A);
}
