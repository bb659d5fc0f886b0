/**
 * FID-Inception on ONNX Runtime: `inceptionFeatureSession(weights, variant, opts)` loads converted weights, builds
 * the graph of one input variant (resize as interpolation-matrix MatMuls, see `inception-graph.ts`) and returns a
 * callable `images → pool3 features` with the metadata a Fréchet-distance label needs.
 */
import type * as Ort from 'onnxruntime-node';
import { fidInceptionArchitecture, FID_INCEPTION_INPUT_SIZE, type FeatureSpace, type FidInputVariant } from '@vqrae/eval';
import { SafetensorsFile } from '@vqrae/nn';
import { buildModel } from '../builder/model.js';
import { sessionOptions } from '../engine/onnx-engine.js';
import { ortErrorMessage, providerHint, requireOnnxRuntime, type ExecutionProviderName } from '../engine/runtime.js';
import { checkFidImageBatch, fidInputScale, type FidImageBatch } from './fid-input-scale.js';
import { inceptionGraph, INCEPTION_GRAPH_IO } from './inception-graph.js';
import { loadInceptionWeightArrays } from './inception-weights.js';
import { fidResizeMatrix, transposeMatrix, type ResizeMatrix } from './resize-matrices.js';

/** Options of {@link inceptionFeatureSession}. */
export interface InceptionSessionOptions {
  /** Execution provider (default `cpu`; `webgpu`: any Vulkan/Metal/D3D12 GPU through Dawn). */
  readonly ep?: ExecutionProviderName;
  /** Intra-op threads (default as `OnnxEngine`: the cores this process may use). */
  readonly threads?: number;
  /**
   * Channel divisor of a width-reduced test network; default: read from the file (`Conv2d_1a_3x3.conv.weight` is
   * [32/d, 3, 3, 3]). A network with d ≠ 1 is labelled `FD[fid-inception-width-1of<d>]`, never FID.
   */
  readonly widthDivisor?: number;
}

/** `images [B, H, W, 3] → features [B, featureDim]` (fresh array, caller owns it), plus what labels the features. */
export interface InceptionFeatureSession {
  (images: FidImageBatch): Promise<Float32Array>;
  readonly variant: FidInputVariant;
  readonly featureDim: number;
  /** `fid-inception` (with the weights' sha256) for the real network, a named space for width-reduced ones. */
  readonly space: FeatureSpace;
  /** e.g. `onnx(cpu, 2 threads)`. */
  readonly label: string;
  /** Releases the ORT session. Idempotent; calls afterwards throw. */
  dispose(): Promise<void>;
}

/** Width divisor of a converted FID-Inception file, from its first conv's output channels. */
export async function readInceptionWidthDivisor(path: string): Promise<number> {
  const file = await SafetensorsFile.open(path);
  try {
    const shape = file.shapes()['Conv2d_1a_3x3.conv.weight'];
    if (!shape || shape.length !== 4 || shape[0]! <= 0 || 32 % shape[0]! !== 0) {
      throw new Error(`'${path}' is not a converted FID-Inception file (no Conv2d_1a_3x3.conv.weight [32/d, 3, 3, 3]); convert it with tools/convert/fid_inception_to_safetensors.py`);
    }
    return 32 / shape[0]!;
  } finally {
    await file.close();
  }
}

/**
 * Loads FID-Inception weights (converted safetensors, torchvision key names) and opens an ONNX Runtime session of
 * `variant`. The returned function accepts any image size; interpolation matrices are computed once per size.
 */
export async function inceptionFeatureSession(
  weightsPath: string,
  variant: FidInputVariant,
  opts: InceptionSessionOptions = {},
): Promise<InceptionFeatureSession> {
  const ep = opts.ep ?? 'cpu';
  if (opts.threads !== undefined && !(Number.isInteger(opts.threads) && opts.threads >= 1)) {
    throw new Error(`inceptionFeatureSession: threads must be a positive integer, got ${opts.threads}`);
  }
  const ort = await requireOnnxRuntime();
  const options = sessionOptions({ ep, ...(opts.threads === undefined ? {} : { threads: opts.threads }) });
  const threads = options.intraOpNumThreads ?? 1;
  const label = ep === 'cpu' ? `onnx(cpu, ${threads} thread${threads === 1 ? '' : 's'})` : `onnx(${ep})`;
  const widthDivisor = opts.widthDivisor ?? (await readInceptionWidthDivisor(weightsPath));
  const arch = fidInceptionArchitecture(widthDivisor);
  const weights = await loadInceptionWeightArrays(weightsPath, arch);
  const artifact = buildModel(inceptionGraph(arch, weights.convs, variant), {
    metadata: { 'vqrae.fid.variant': variant, 'vqrae.fid.weights_sha256': weights.sha256, 'vqrae.fid.width_divisor': String(widthDivisor) },
  });
  let session: Ort.InferenceSession | undefined;
  try {
    session = await ort.InferenceSession.create(artifact.model, options);
  } catch (error) {
    const cause = ortErrorMessage(error);
    throw new Error(`inceptionFeatureSession: could not create a session on provider '${ep}' (${cause}); ${providerHint(ep)}`);
  }
  const where = `inceptionFeatureSession(${variant}, ${label})`;
  const size = FID_INCEPTION_INPUT_SIZE;
  const matrices = new Map<string, { rows: Ort.Tensor; colsT: Ort.Tensor }>();
  const matricesFor = (height: number, width: number): { rows: Ort.Tensor; colsT: Ort.Tensor } => {
    const key = `${height}x${width}`;
    let entry = matrices.get(key);
    if (!entry) {
      const tensor = (m: ResizeMatrix): Ort.Tensor => new ort.Tensor('float32', m.data, [m.rows, m.cols]);
      entry = { rows: tensor(fidResizeMatrix(variant, height, size)), colsT: tensor(transposeMatrix(fidResizeMatrix(variant, width, size))) }; // [299, H], [W, 299]
      matrices.set(key, entry);
    }
    return entry;
  };

  const run = async (images: FidImageBatch): Promise<Float32Array> => {
    if (!session) throw new Error(`${where}: the session was disposed`);
    checkFidImageBatch(images, where);
    const { batch, height, width } = images;
    const { rows, colsT } = matricesFor(height, width);
    const input = new ort.Tensor('float32', fidInputScale(images, variant), [batch, height, width, 3]); // [B, H, W, 3]
    const out = await session.run({ [INCEPTION_GRAPH_IO.images]: input, [INCEPTION_GRAPH_IO.resizeRows]: rows, [INCEPTION_GRAPH_IO.resizeColsT]: colsT });
    const features = out[INCEPTION_GRAPH_IO.features];
    if (!features || !(features.data instanceof Float32Array)) throw new Error(`${where}: the session returned no float32 features`);
    const copy = Float32Array.from(features.data); // [B, featureDim]
    features.dispose();
    return copy;
  };
  const space: FeatureSpace =
    widthDivisor === 1
      ? { kind: 'fid-inception', variant, weightsSha256: weights.sha256 }
      : { kind: 'named', name: `fid-inception-width-1of${widthDivisor}`, description: 'width-reduced test network' };
  return Object.assign(run, {
    variant,
    featureDim: arch.featureDim,
    space,
    label,
    async dispose(): Promise<void> {
      const open = session;
      session = undefined;
      matrices.clear();
      await open?.release();
    },
  });
}
