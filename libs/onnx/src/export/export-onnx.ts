/**
 * `exportOnnx`: one VQRAE inference graph of a tfjs `VqraeModel` as an ONNX model, with the model's current weights.
 *
 * Graphs (input `pixels` = pixel01 float32 NHWC `[batch, S, S, 3]`, normalised inside the graph):
 *   tokenize    → `indices` int32 `[batch, N]`
 *   reconstruct → `indices` + `reconstruction` float32 `[batch, S_out, S_out, 3]` (not clamped; ONNX value names are
 *                 unique, so it cannot reuse the input's name `pixels`)
 *   features    → `features` float32 `[batch, N, d]`
 *   encode      → `features` + `indices`
 *   decode      (input `indices` int32 `[batch, N]`) → `pixels`
 */
import { DEFAULT_MAX_CHUNK_ELEMENTS, type VqraeModel } from '@vqrae/tokenizer';
import { OnnxGraphBuilder } from '../builder/graph-builder.js';
import { type OnnxArtifact, buildModel } from '../builder/model.js';
import { ExportContext } from './context.js';
import { vitDecoder } from './decoder.js';
import { mobileNetV2Encoder } from './mobilenet.js';
import { siglipEncoder } from './siglip.js';
import { lookupCodes, nearestCodes } from './simvq.js';

/** The inference graphs `exportOnnx` can build. */
export type OnnxGraphKind = 'tokenize' | 'reconstruct' | 'features' | 'encode' | 'decode';

/** Every graph kind. */
export const ONNX_GRAPH_KINDS: readonly OnnxGraphKind[] = ['tokenize', 'reconstruct', 'features', 'encode', 'decode'];

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** Store weights as float16 and compute in float16 (inputs/outputs stay float32; the code search stays float32). */
  readonly fp16?: boolean;
  /** Extra `metadata_props`, e.g. `{ 'vqrae.checkpoint_sha256': … }` (they override the defaults on equal keys). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Bound on one distance block rows × codes of the code search (default DEFAULT_MAX_CHUNK_ELEMENTS, as tfjs). */
  readonly maxChunkElements?: number;
  /** Initializer bytes above which they go to external data (default ~1.5 GiB; tests force a small value). */
  readonly externalDataThreshold?: number;
}

/** Version of this exporter, written into every model (bump when a graph's math or layout changes). */
export const ONNX_EXPORTER_VERSION = '@vqrae/onnx 0.1.0';

/** The tie rule every exported search follows (also in the metadata). */
export const TIE_RULE = 'first minimum: smallest code index among equal squared-L2 distances (codebook chunks joined with strict <)';

function encoderFeatures(ctx: ExportContext, model: VqraeModel, pixels: string): string {
  const config = model.config.encoder;
  switch (config.kind) {
    case 'siglip-vit':
      return siglipEncoder(ctx, pixels, config, model.encoder.geometry, model.encoder.paramPrefix);
    case 'mobilenetv2-imagenet-stride16':
      return mobileNetV2Encoder(ctx, pixels, model.encoder.geometry);
  }
}

/** Default metadata of a graph (provenance, input protocol, normalisation, tie rule). */
export function exportMetadata(model: VqraeModel, graph: OnnxGraphKind, opts: ExportOnnxOptions): Record<string, string> {
  const geometry = model.encoder.geometry;
  return {
    'vqrae.graph': graph,
    'vqrae.preset': model.config.preset,
    'vqrae.config': JSON.stringify(model.config),
    'vqrae.input': graph === 'decode' ? `indices int32 [batch, ${model.tokensPerImage}]` : `pixels pixel01 float32 NHWC [batch, ${model.inputSize}, ${model.inputSize}, 3]`,
    'vqrae.input_size': String(model.inputSize),
    'vqrae.output_size': String(model.outputSize),
    'vqrae.tokens_per_image': String(model.tokensPerImage),
    'vqrae.codebook_size': String(model.config.quantizer.codebookSize),
    'vqrae.normalisation': JSON.stringify({ formula: '(pixel01 - mean) / std per channel, inside the graph', mean: geometry.pixelMean, std: geometry.pixelStd }),
    'vqrae.tie_rule': TIE_RULE,
    'vqrae.precision': opts.fp16 ? 'float16 (code search in float32)' : 'float32',
    'vqrae.max_chunk_elements': String(opts.maxChunkElements ?? DEFAULT_MAX_CHUNK_ELEMENTS),
    'vqrae.encoder_modified': String(model.encoderModified),
    'vqrae.exporter': ONNX_EXPORTER_VERSION,
    ...(opts.metadata ?? {}),
  };
}

/**
 * Exports one inference graph of `model` (its current weights; the model is only read). The returned artifact holds
 * the model bytes and, for models past the protobuf limit, the external data; write it with `writeOnnxArtifact` or
 * load `artifact.model` directly into ONNX Runtime when it has no external data.
 */
export function exportOnnx(model: VqraeModel, graph: OnnxGraphKind, opts: ExportOnnxOptions = {}): OnnxArtifact {
  if (!ONNX_GRAPH_KINDS.includes(graph)) throw new Error(`exportOnnx: unknown graph '${graph}' (expected one of ${ONNX_GRAPH_KINDS.join(', ')})`);
  const g = new OnnxGraphBuilder(`vqrae-${graph}`, { precision: opts.fp16 ? 'float16' : 'float32' });
  const ctx = new ExportContext(g, model.params);
  const maxChunk = opts.maxChunkElements ?? DEFAULT_MAX_CHUNK_ELEMENTS;
  const s = model.inputSize;
  const sOut = model.outputSize;
  const n = model.tokensPerImage;
  const d = model.encoder.geometry.width;
  const { config } = model;
  const decodePixels = (indices: string) => vitDecoder(ctx, lookupCodes(ctx, model, indices), config.decoder, model.encoder.geometry, model.decoder.paramPrefix);
  if (graph === 'decode') {
    const indices = g.input('indices', 'int32', ['batch', n]);
    g.output('pixels', decodePixels(indices), 'float32', ['batch', sOut, sOut, 3]);
  } else {
    const pixels = g.input('pixels', 'float32', ['batch', s, s, 3]);
    const features = encoderFeatures(ctx, model, pixels);
    if (graph === 'features' || graph === 'encode') g.output('features', features, 'float32', ['batch', n, d]);
    if (graph !== 'features') {
      const indices = nearestCodes(ctx, model, features, maxChunk);
      g.output('indices', indices, 'int32', ['batch', n]);
      if (graph === 'reconstruct') g.output('reconstruction', decodePixels(indices), 'float32', ['batch', sOut, sOut, 3]);
    }
  }
  return buildModel(g, {
    metadata: exportMetadata(model, graph, opts),
    producerName: '@vqrae/onnx',
    producerVersion: ONNX_EXPORTER_VERSION,
    docString: `VQRAE ${graph} graph (${config.preset})`,
    externalDataThreshold: opts.externalDataThreshold,
  });
}
