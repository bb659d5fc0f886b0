/**
 * VQRAE checkpoints: safetensors with the spec's key names (`vision_model.*` or `encoder.mobilenetv2.*`,
 * `quant_in.*`, `quantizer.*`, `decoder.*`) and the resolved config in metadata `vqrae.config`, so that
 * `loadCheckpoint(path)` rebuilds the model from the file alone. Packaged encoder weights (MobileNetV2 from nsfwjs)
 * are referenced by identity (package, version, sha256) unless the encoder was fine-tuned; then they are embedded.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, SafetensorsFile, checkShapes, isFloatDtype, writeSafetensors } from '@vqrae/nn';
import { parseVqraeConfig } from '../config/validate.js';
import { decoderStemKeys } from '../decoder/vit-decoder.js';
import { addPackagedEncoderWeights, encoderFor, hasPackagedWeights } from '../encoders/encoder-factory.js';
import type { NearestCodeOptions } from '../quantizer/nearest-code.js';
import { createQuantizer } from '../quantizer/quantizer-factory.js';
import { VitDecoder } from '../decoder/vit-decoder.js';
import { VqraeModel } from './vqrae-model.js';

/** Metadata keys written into every checkpoint. */
export const CHECKPOINT_METADATA = {
  config: 'vqrae.config',
  encoderWeights: 'vqrae.encoder_weights',
  stage: 'vqrae.stage',
} as const;

/** How the encoder weights are stored: in the file, or referenced from the installed package. */
export type EncoderWeightsMode = 'embedded' | 'package';

/** Options of `saveCheckpoint`. */
export interface SaveCheckpointOptions {
  /** Default: 'package' for a packaged encoder that was never trainable, else 'embedded'. */
  readonly encoderWeights?: EncoderWeightsMode;
  /** Extra metadata (string values), e.g. step, data spec, git revision. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Float storage type (default F32). */
  readonly dtype?: 'F32' | 'F16';
}

/** Writes `model` to `path` (atomically). */
export async function saveCheckpoint(model: VqraeModel, path: string, opts: SaveCheckpointOptions = {}): Promise<void> {
  const packaged = hasPackagedWeights(model.config.encoder);
  const mode: EncoderWeightsMode = opts.encoderWeights ?? (packaged && !model.encoderModified ? 'package' : 'embedded');
  if (mode === 'package' && !packaged) {
    throw new Error(`saveCheckpoint(${path}): encoder kind '${model.config.encoder.kind}' has no packaged weights; use encoderWeights 'embedded'`);
  }
  const encoderPrefix = model.encoder.paramPrefix;
  const tensors: Record<string, tf.Tensor> = {};
  for (const [name, tensor] of Object.entries(model.params.toNamedTensors())) {
    if (mode === 'package' && name.startsWith(encoderPrefix)) continue;
    tensors[name] = tensor;
  }
  await writeSafetensors(path, tensors, {
    dtype: opts.dtype ?? 'F32',
    metadata: {
      ...opts.metadata,
      [CHECKPOINT_METADATA.config]: JSON.stringify(model.config),
      [CHECKPOINT_METADATA.encoderWeights]: mode,
      [CHECKPOINT_METADATA.stage]: model.stage,
    },
  });
}

/** Options of `loadCheckpoint`. */
export interface LoadCheckpointOptions {
  readonly search?: NearestCodeOptions;
}

/**
 * Rebuilds a model from a checkpoint: config from metadata, strict names/shapes (one error listing missing,
 * unexpected and mismatched keys), float dtypes, finite values (a corrupt weight is named instead of giving black
 * images or all-zero tokens), the decoder's fixed sin-cos table checked against its formula. The model starts
 * in stage 1; call `setStage` to change.
 */
export async function loadCheckpoint(path: string, opts: LoadCheckpointOptions = {}): Promise<VqraeModel> {
  const context = `loadCheckpoint(${path})`;
  const file = await SafetensorsFile.open(path);
  const params = new ParamStore();
  try {
    const rawConfig = file.metadata[CHECKPOINT_METADATA.config];
    if (rawConfig === undefined) throw new Error(`${context}: not a VQRAE checkpoint (no '${CHECKPOINT_METADATA.config}' metadata)`);
    const config = parseVqraeConfig(JSON.parse(rawConfig));
    const mode = file.metadata[CHECKPOINT_METADATA.encoderWeights] ?? 'embedded';
    if (mode !== 'embedded' && mode !== 'package') throw new Error(`${context}: unknown ${CHECKPOINT_METADATA.encoderWeights} '${mode}'`);
    const encoder = encoderFor(config.encoder);
    const quantizer = createQuantizer(config.quantizer, encoder.geometry.width);
    const decoder = new VitDecoder(config.decoder, config.quantizer.codebookDim, encoder.geometry);
    const expected = { ...(mode === 'embedded' ? encoder.paramShapes() : {}), ...quantizer.paramShapes(), ...decoder.paramShapes() };
    checkShapes(expected, file.shapes(), context);
    if (mode === 'package') await addPackagedEncoderWeights(encoder, params);
    for (const key of Object.keys(expected)) {
      const { dtype } = file.info(key);
      if (!isFloatDtype(dtype)) throw new Error(`${context}: '${key}' is stored as ${dtype}; model weights are float (F32, F16, BF16 or F64)`);
      params.add(key, await file.readTensor(key, { requireFinite: true }), { trainable: false });
    }
    checkPositionTable(params, decoder, file.info(decoderStemKeys(decoder.paramPrefix).pos).dtype, context);
    return new VqraeModel(config, encoder, params, { search: opts.search });
  } catch (error) {
    params.dispose();
    throw error;
  } finally {
    await file.close();
  }
}

/** Tolerance of the stored sin-cos table per storage dtype (values lie in [−1, 1]). */
const TABLE_TOLERANCE: Record<string, number> = { F32: 1e-5, F16: 1e-3, BF16: 8e-3 };

/**
 * The stored fixed position table must equal the formula (a different table means a different layout); it is then
 * replaced by the exact float32 table (a half-precision file stores a rounded copy).
 */
function checkPositionTable(params: ParamStore, decoder: VitDecoder, dtype: string, context: string): void {
  const key = decoderStemKeys(decoder.paramPrefix).pos;
  const tolerance = TABLE_TOLERANCE[dtype] ?? 1e-5;
  const expected = decoder.positionTable();
  try {
    const maxDiff = tf.tidy(() => tf.max(tf.abs(tf.sub(params.get(key), expected))).dataSync()[0]);
    if (!(maxDiff <= tolerance)) throw new Error(`${context}: '${key}' differs from the 2-D sin-cos table (max |diff| ${maxDiff}, ${dtype})`);
    params.assign(key, expected);
  } finally {
    expected.dispose();
  }
}
