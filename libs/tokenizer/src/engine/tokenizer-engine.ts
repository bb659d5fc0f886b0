/**
 * The inference engine interface shared by every model stage (tokenize, reconstruct, features, decodeTokens): the
 * tfjs model (`tfjsEngine`) and the ONNX Runtime engine (`@vqrae/onnx`) both implement it.
 *
 * Everything that crosses it is a host array: no tensor ever crosses an engine boundary, so a stage never has to know
 * which engine (or tfjs backend) computed its batch, and nothing crossing it has to be disposed.
 *
 * Ownership: an engine owns its model/sessions until `dispose()`. Every returned array is fresh and owned by the
 * caller; inputs are never retained or modified.
 */
import type { PixelBatch } from '@vqrae/data';

/** Which engine family computes. */
export type EngineKind = 'tfjs' | 'onnx';

/** pixel01 images as one float32 NHWC block `[B, S, S, 3]`, row-major (built by `pixelBatch` of `@vqrae/data`). */
export type { PixelBatch };

/** Output of `reconstruct`: both the codes and the decoded images of one batch. */
export interface Reconstruction {
  /** Code indices `[B, N]` (N = tokensPerImage), first-minimum tie rule. */
  readonly indices: Int32Array;
  /** Decoded pixel01 images `[B, S_out, S_out, 3]`, NOT clamped (round with `toUint8Pixels`). */
  readonly pixels: Float32Array;
}

/** A loaded VQRAE tokenizer behind some engine. */
export interface TokenizerEngine {
  readonly kind: EngineKind;
  /** One short human label, e.g. `tfjs(wasm)` or `onnx(cpu, 2 threads)`; appears in stage descriptions. */
  readonly label: string;
  /** Encoder input side (pixels). */
  readonly inputSize: number;
  /** Decoder output side (pixels). */
  readonly outputSize: number;
  /** Tokens per image N = g². */
  readonly tokensPerImage: number;
  /** Codebook size k. */
  readonly codebookSize: number;
  /** Encoder feature width d (Z_I is `[B, N, d]`). */
  readonly featureWidth: number;
  /** pixel01 `[B, S_in, S_in, 3]` → code indices `[B, N]`. */
  tokenize(pixels: PixelBatch): Promise<Int32Array>;
  /** pixel01 `[B, S_in, S_in, 3]` → indices `[B, N]` + decoded pixel01 `[B, S_out, S_out, 3]`. */
  reconstruct(pixels: PixelBatch): Promise<Reconstruction>;
  /** pixel01 `[B, S_in, S_in, 3]` → continuous features Z_I `[B, N, d]`. */
  features(pixels: PixelBatch): Promise<Float32Array>;
  /** code indices `[B, N]` → decoded pixel01 `[B, S_out, S_out, 3]` (not clamped). */
  decode(indices: Int32Array, batch: number): Promise<Float32Array>;
  /** Frees the model / sessions. Idempotent. */
  dispose(): Promise<void>;
}

/** The sizes of an engine's model (see `engineGeometry`). */
export type EngineGeometry = Pick<TokenizerEngine, 'inputSize' | 'outputSize' | 'tokensPerImage' | 'codebookSize' | 'featureWidth'>;

/** What the features stage needs: a full engine, or a features-only one (a bare encoder such as a HF SigLIP tower). */
export type FeatureEngine = Pick<TokenizerEngine, 'kind' | 'label' | 'inputSize' | 'tokensPerImage' | 'featureWidth' | 'features' | 'dispose'>;
