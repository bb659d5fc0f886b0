import path from 'node:path';
import fs from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '@vqrae/graph';
import { type ParamStore, SafetensorsFile, writeSafetensors } from '@vqrae/nn';
import { CHECKPOINT_METADATA, createVqrae, DECODER_PREFIX, loadCheckpoint, parseVqraeConfig, presetConfig, type VqraeConfig, type VqraeModel } from '@vqrae/tokenizer';
import { readTrainCheckpoint, resolveCheckpointDir, type LoadedTrainCheckpoint } from './checkpoint-state.js';
import { loadInitWeights } from './init-weights.js';
import type { TrainJobConfig } from './job-config.js';
import type { TokenizerParts } from './objectives.js';
import { applyQuantizerOverride, assertQuantizerMatches } from './quantizer-override.js';

const CONFIG_KEY = CHECKPOINT_METADATA.config;

/** The model a training job works on, with what the stage needs around it. */
export interface LoadedModel {
  readonly model: VqraeModel;
  readonly parts: TokenizerParts;
  /** Stage 2: the frozen teacher encoder E_T (parameters under the encoder prefix). Owned by the job. */
  readonly teacher: ParamStore | null;
  /** Stage 2 start: the stage-1 EMA values to seed the new EMA with (owned by the job, disposed after use). */
  readonly emaSeed: Record<string, tf.Tensor> | null;
  /** Stage 2 start: the stage-1 discriminator heads + spectral vectors, when stage 1 trained a GAN (owned by the job). */
  readonly discSeed: Record<string, tf.Tensor> | null;
  readonly encoderPrefix: string;
  /** Metadata making a written parameter set a stand-alone tokenizer checkpoint. */
  metadata(): Record<string, string>;
}

/** The three calls of a training step on a VqraeModel, each with an explicit parameter store. */
export function tokenizerParts(model: VqraeModel): TokenizerParts {
  return {
    encode: (store, images) => model.encoder.encode(store, images),
    encodeWithTaps: (store, images, taps) => {
      const maps = model.encoder.features(store, images, [...taps, 'final']); // 'final' = Z, as encode()
      const features = maps.pop()!;
      return { features, taps: maps };
    },
    quantize: (store, features) => model.quantizer.quantize(store, features),
    decode: (store, quantized) => model.decoder.decode(store, quantized),
    codebookSize: model.config.quantizer.codebookSize,
    lastLayerKey: `${DECODER_PREFIX}decoder_pred.weight`, // spec §5.4 key of the last linear layer
  };
}

function configFromMetadata(metadata: Readonly<Record<string, string>>, where: string): VqraeConfig {
  const text = metadata[CONFIG_KEY];
  if (text === undefined) throw new Error(`train: ${where} has no '${CONFIG_KEY}' metadata (not a vqrae checkpoint)`);
  return parseVqraeConfig(JSON.parse(text));
}

async function modelFromTensors(named: Readonly<Record<string, tf.Tensor>>, config: VqraeConfig, seed: number): Promise<VqraeModel> {
  const model = await createVqrae(config, { seed });
  try {
    model.params.load(named, { strict: true });
  } catch (error) {
    model.dispose();
    throw error;
  }
  return model;
}

async function readSafetensors(file: string): Promise<{ tensors: Record<string, tf.Tensor>; metadata: Record<string, string> }> {
  const handle = await SafetensorsFile.open(file);
  try {
    return { tensors: await handle.readAll(), metadata: { ...handle.metadata } };
  } finally {
    await handle.close();
  }
}

/** Stage-2 source: a training checkpoint folder or run folder (live + EMA weights). */
async function readStage1(from: string): Promise<{
  model: Record<string, tf.Tensor>;
  metadata: Record<string, string>;
  ema: Record<string, tf.Tensor> | null;
  disc: Record<string, tf.Tensor> | null;
}> {
  const dir = await resolveCheckpointDir(from);
  if (dir === null) throw new Error(`train --stage 2: --from ${from} is neither a .safetensors file nor a checkpoint/run folder`);
  const checkpoint = await readTrainCheckpoint(dir);
  for (const t of Object.values(checkpoint.moments)) t.dispose();
  return { model: checkpoint.model, metadata: checkpoint.modelMetadata, ema: checkpoint.ema, disc: checkpoint.adversary?.tensors ?? null };
}

function frozenEncoderCopy(model: VqraeModel): ParamStore {
  const teacher = model.params.clone(model.encoder.paramPrefix);
  teacher.setTrainable(() => true, false);
  return teacher;
}

/**
 * Builds the model for a job: resumed from its own checkpoint, a fresh stage-1 model from the preset, or a stage-2
 * model from a stage-1 checkpoint (spec §7.10: live weights, teacher = frozen copy of the encoder, EMA seeded from
 * the stage-1 EMA). The stage-2 teacher is saved once as `<run>/teacher.safetensors` so a resume restores it exactly.
 */
export async function loadModelSource(
  config: TrainJobConfig,
  resumed: LoadedTrainCheckpoint | null,
  runDir: string,
  log: Logger,
): Promise<LoadedModel> {
  let model: VqraeModel;
  let metadata: Record<string, string>;
  let emaSeed: Record<string, tf.Tensor> | null = null;
  let discSeed: Record<string, tf.Tensor> | null = null;
  if (resumed) {
    const modelConfig = configFromMetadata(resumed.modelMetadata, resumed.dir);
    assertQuantizerMatches(config.quantizer, modelConfig.quantizer, `train --resume ${resumed.dir}`);
    model = await modelFromTensors(resumed.model, modelConfig, config.seed);
    metadata = resumed.modelMetadata;
  } else if (config.stage === 1) {
    const preset = presetConfig(config.preset);
    const modelConfig: VqraeConfig = config.quantizer ? { ...preset, quantizer: applyQuantizerOverride(preset.quantizer, config.quantizer) } : preset;
    model = await createVqrae(modelConfig, { seed: config.seed });
    metadata = { [CONFIG_KEY]: JSON.stringify(modelConfig) };
    if (config.init) {
      try {
        metadata = { ...metadata, ...(await loadInitWeights(model, config.init, config.seed)) };
      } catch (error) {
        model.dispose();
        throw error;
      }
      log.info(`train --init: starting weights from ${config.init} (fresh optimizer)`);
    }
  } else if (config.from?.endsWith('.safetensors')) {
    // A tokenizer checkpoint (e.g. model-ema.safetensors or one from saveCheckpoint): no EMA to seed from.
    model = await loadCheckpoint(config.from);
    try {
      assertQuantizerMatches(config.quantizer, model.config.quantizer, `train --from ${config.from}`);
    } catch (error) {
      model.dispose();
      throw error;
    }
    metadata = {};
  } else {
    if (config.from === null) throw new Error('train --stage 2 needs --from <stage-1 checkpoint folder | run folder | model.safetensors>');
    const source = await readStage1(config.from);
    const modelConfig = configFromMetadata(source.metadata, config.from);
    try {
      assertQuantizerMatches(config.quantizer, modelConfig.quantizer, `train --from ${config.from}`);
    } catch (error) {
      tf.dispose([...Object.values(source.model), ...Object.values(source.ema ?? {}), ...Object.values(source.disc ?? {})]);
      throw error;
    }
    if (modelConfig.preset !== config.preset) {
      log.warn(`train: --preset ${config.preset} ignored; the stage-1 checkpoint is preset '${modelConfig.preset}'`);
    }
    try {
      model = await modelFromTensors(source.model, modelConfig, config.seed);
    } finally {
      for (const t of Object.values(source.model)) t.dispose();
    }
    metadata = source.metadata;
    emaSeed = source.ema;
    discSeed = source.disc;
  }
  model.setStage(config.stage === 1 ? 'stage1' : 'stage2');
  let teacher: ParamStore | null = null;
  if (config.stage === 2) {
    const teacherFile = path.join(runDir, 'teacher.safetensors');
    if (resumed) {
      const { tensors } = await readSafetensors(teacherFile);
      teacher = frozenEncoderCopy(model);
      teacher.load(tensors, { strict: true });
      for (const t of Object.values(tensors)) t.dispose();
    } else {
      teacher = frozenEncoderCopy(model);
      await fs.mkdir(runDir, { recursive: true });
      await writeSafetensors(teacherFile, teacher.toNamedTensors(), { metadata: { kind: 'vqrae-teacher-encoder' } });
    }
  }
  return {
    model,
    parts: tokenizerParts(model),
    teacher,
    emaSeed,
    discSeed,
    encoderPrefix: model.encoder.paramPrefix,
    // Training checkpoints always embed the encoder (loadCheckpoint reads them as 'embedded').
    metadata: () => ({
      ...metadata,
      [CONFIG_KEY]: JSON.stringify(model.config),
      [CHECKPOINT_METADATA.encoderWeights]: 'embedded',
      [CHECKPOINT_METADATA.stage]: model.stage,
    }),
  };
}

/** The preset name recorded in a stage-1 source (run folder, checkpoint folder or model file), or null. */
export async function presetOf(from: string): Promise<string | null> {
  const file = from.endsWith('.safetensors') ? from : await resolveCheckpointDir(from).then((dir) => (dir ? path.join(dir, 'model.safetensors') : null));
  if (file === null) return null;
  const handle = await SafetensorsFile.open(file);
  try {
    const text = handle.metadata[CONFIG_KEY];
    return text === undefined ? null : parseVqraeConfig(JSON.parse(text)).preset;
  } finally {
    await handle.close();
  }
}
