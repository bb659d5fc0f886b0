/**
 * Serializes a built graph into an ONNX model (`OnnxArtifact`): opset imports, producer, `metadata_props`, and the
 * initializers either inline (`raw_data`) or, when the model would pass the protobuf limit of 2 GiB, in one side file
 * referenced by `data_location = EXTERNAL` with `location` / `offset` / `length` entries.
 */
import os from 'node:os';
import type { OnnxGraphBuilder, Initializer } from './graph-builder.js';
import { DATA_TYPE_CODES, IR_VERSION, onnx } from './proto.js';

/** Initializers written to a side file (the model file refers to them by location, offset and length). */
export interface ExternalData {
  /** File name of the side file, relative to the model file (written into the model). */
  readonly location: string;
  /** The file's content in order (kept as chunks: a so400m model's data is larger than one Buffer may be). */
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

/** A serialized ONNX model, with its external data when it needs one. */
export interface OnnxArtifact {
  /** The ModelProto bytes (the `.onnx` file). */
  readonly model: Uint8Array;
  /** Present when initializers live in a side file. */
  readonly externalData?: ExternalData;
  /** The `metadata_props` written into the model. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** An opset import. */
export interface OpsetImport {
  readonly domain: string;
  readonly version: number;
}

/** Options of `buildModel`. */
export interface BuildModelOptions {
  /** Default-domain opset (default 17: LayerNormalization). */
  readonly opset?: number;
  /** Further domains, e.g. `{ domain: 'com.microsoft', version: 1 }`. */
  readonly extraOpsets?: readonly OpsetImport[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /**
   * Initializer bytes above which initializers go to a side file (default 1.5 GiB, leaving room under protobuf's
   * 2 GiB for the graph itself). Tests force a small value.
   */
  readonly externalDataThreshold?: number;
  /** Name of the side file (default `model.onnx.data`; `writeOnnxArtifact` renames it after the model file). */
  readonly externalDataLocation?: string;
}

/** Default threshold of `BuildModelOptions.externalDataThreshold`. */
export const DEFAULT_EXTERNAL_DATA_THRESHOLD = 1.5 * 1024 ** 3;
/** Initializers smaller than this stay inline even in a model with external data (shapes, scalars). */
const MIN_EXTERNAL_BYTES = 1024;
/** Offsets in the side file are page aligned, so ORT can map tensors directly. */
const EXTERNAL_ALIGNMENT = 4096;

type TensorProto = InstanceType<typeof onnx.TensorProto>;

function inlineTensor(init: Initializer): TensorProto {
  return onnx.TensorProto.create({ name: init.name, dataType: DATA_TYPE_CODES[init.dtype], dims: [...init.dims], rawData: init.bytes });
}

function externalTensor(init: Initializer, location: string, offset: number): TensorProto {
  return onnx.TensorProto.create({
    name: init.name,
    dataType: DATA_TYPE_CODES[init.dtype],
    dims: [...init.dims],
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: String(init.bytes.byteLength) },
    ],
  });
}

/** Serializes the main graph `graph` with its initializers into a model. */
export function buildModel(graph: OnnxGraphBuilder, opts: BuildModelOptions = {}): OnnxArtifact {
  if (!graph.isRoot) throw new Error('buildModel: pass the main graph, not a subgraph');
  if (os.endianness() !== 'LE') throw new Error('buildModel: raw tensor data is written from little-endian typed arrays only');
  const threshold = opts.externalDataThreshold ?? DEFAULT_EXTERNAL_DATA_THRESHOLD;
  const location = opts.externalDataLocation ?? 'model.onnx.data';
  const initializers = graph.initializers();
  const external = graph.initializerBytes() > threshold;
  const tensors: TensorProto[] = [];
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const init of initializers) {
    if (!external || init.bytes.byteLength < MIN_EXTERNAL_BYTES) {
      tensors.push(inlineTensor(init));
      continue;
    }
    const padding = (EXTERNAL_ALIGNMENT - (offset % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
    if (padding > 0) chunks.push(new Uint8Array(padding));
    offset += padding;
    tensors.push(externalTensor(init, location, offset));
    chunks.push(init.bytes);
    offset += init.bytes.byteLength;
  }
  const main = graph.toGraphProto();
  main.initializer = tensors;
  const metadata = { ...(opts.metadata ?? {}) };
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: opts.producerName ?? '@vqrae/onnx',
    producerVersion: opts.producerVersion ?? '',
    docString: opts.docString ?? '',
    opsetImport: [{ domain: '', version: opts.opset ?? 17 }, ...(opts.extraOpsets ?? []).map((o) => ({ domain: o.domain, version: o.version }))],
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    graph: main,
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  return {
    model: bytes,
    metadata,
    ...(external ? { externalData: { location, chunks, byteLength: offset } } : {}),
  };
}

/** The same artifact with its side file renamed to `location` (the model's references are rewritten). */
export function relocateExternalData(artifact: OnnxArtifact, location: string): OnnxArtifact {
  const data = artifact.externalData;
  if (data === undefined || data.location === location) return artifact;
  const model = onnx.ModelProto.decode(artifact.model);
  for (const tensor of model.graph?.initializer ?? []) {
    for (const entry of tensor.externalData ?? []) if (entry.key === 'location') entry.value = location;
  }
  return { ...artifact, model: onnx.ModelProto.encode(model).finish(), externalData: { ...data, location } };
}

/** Reads `metadata_props` of a serialized model (e.g. to check an artifact without a session). */
export function readModelMetadata(modelBytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(modelBytes);
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
