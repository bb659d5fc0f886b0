import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { SafetensorsFile, writeSafetensors } from '@vqrae/nn';
import type { AdversaryState } from './adversary.js';
import type { DataPosition } from './types.js';

/** Everything besides tensors that a resumed run needs (state.json of a checkpoint). */
export interface TrainStateJson {
  readonly format: 'vqrae-train-state/1';
  readonly stage: 1 | 2;
  /** Optimizer steps completed. */
  readonly step: number;
  readonly data: DataPosition;
  /** Serialised RNG states by name (data order, crops, trainer). */
  readonly rng: Readonly<Record<string, unknown>>;
  /** The resolved training config (for a resumed run to check it continues the same job). */
  readonly config: unknown;
  readonly createdAt: string;
}

/** Tensors of a training checkpoint; the writer only reads them (the caller keeps ownership). */
export interface TrainCheckpointTensors {
  /** Live (non-EMA) model parameters, tokenizer checkpoint names. */
  readonly model: Readonly<Record<string, tf.Tensor>>;
  /** Metadata making model.safetensors a stand-alone tokenizer checkpoint (resolved model config). */
  readonly modelMetadata: Readonly<Record<string, string>>;
  /** EMA parameters (trainable names only). */
  readonly ema: Readonly<Record<string, tf.Tensor>>;
  /** AdamW moments by the optimizer's own keys. */
  readonly moments: Readonly<Record<string, tf.Tensor>>;
  readonly optimizerStep: number;
  /** GAN runs: discriminator heads, spectral-norm vectors and D's AdamW moments (→ disc.safetensors). */
  readonly adversary?: AdversaryState;
}

/** A checkpoint read back; the caller owns (and must dispose) every tensor. */
export interface LoadedTrainCheckpoint {
  readonly dir: string;
  readonly state: TrainStateJson;
  readonly model: Record<string, tf.Tensor>;
  readonly modelMetadata: Record<string, string>;
  readonly ema: Record<string, tf.Tensor>;
  readonly moments: Record<string, tf.Tensor>;
  readonly optimizerStep: number;
  /** The discriminator's state when the run trained one (tensors owned by the caller). */
  readonly adversary: AdversaryState | null;
}

const LATEST = 'latest.json';
const DISC_FILE = 'disc.safetensors';

/** Folder name of the checkpoint after `step` optimizer steps. */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes `<root>/step-XXXXXXXX/` {model,ema,optimizer}.safetensors + state.json atomically: everything goes to a
 * temporary folder that is renamed into place, then `latest.json` is replaced (temp file + rename). A crash at any
 * point leaves the previous checkpoint and `latest.json` intact. Keeps the newest `keep` checkpoints.
 */
export async function writeTrainCheckpoint(
  root: string,
  tensors: TrainCheckpointTensors,
  state: TrainStateJson,
  keep = 2,
): Promise<string> {
  await fs.mkdir(root, { recursive: true });
  const name = checkpointDirName(state.step);
  const finalDir = path.join(root, name);
  const tmpDir = path.join(root, `.${name}.tmp-${process.pid}`);
  await fs.rm(tmpDir, { recursive: true, force: true });
  await fs.mkdir(tmpDir);
  await writeSafetensors(path.join(tmpDir, 'model.safetensors'), { ...tensors.model }, {
    metadata: { ...tensors.modelMetadata },
  });
  await writeSafetensors(path.join(tmpDir, 'ema.safetensors'), { ...tensors.ema }, {
    metadata: { kind: 'vqrae-ema' },
  });
  await writeSafetensors(path.join(tmpDir, 'optimizer.safetensors'), { ...tensors.moments }, {
    metadata: { kind: 'vqrae-adamw', step: String(tensors.optimizerStep) },
  });
  if (tensors.adversary) {
    await writeSafetensors(path.join(tmpDir, DISC_FILE), { ...tensors.adversary.tensors }, {
      metadata: { kind: 'vqrae-discriminator', state: JSON.stringify(tensors.adversary.json) },
    });
  }
  await fs.writeFile(path.join(tmpDir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
  await fs.rm(finalDir, { recursive: true, force: true });
  await fs.rename(tmpDir, finalDir);
  const latestTmp = path.join(root, `.${LATEST}.tmp-${process.pid}`);
  await fs.writeFile(latestTmp, `${JSON.stringify({ dir: name, step: state.step })}\n`);
  await fs.rename(latestTmp, path.join(root, LATEST));
  await pruneCheckpoints(root, keep);
  return finalDir;
}

async function pruneCheckpoints(root: string, keep: number): Promise<void> {
  const dirs = (await fs.readdir(root)).filter((d) => /^step-\d{8}$/.test(d)).sort();
  for (const old of dirs.slice(0, Math.max(0, dirs.length - keep))) {
    await fs.rm(path.join(root, old), { recursive: true, force: true });
  }
}

/** Resolves a checkpoint folder: `dir` itself when it holds state.json, else the one `dir/latest.json` names. */
export async function resolveCheckpointDir(dir: string): Promise<string | null> {
  if (await exists(path.join(dir, 'state.json'))) return dir;
  const candidates = [path.join(dir, LATEST), path.join(dir, 'checkpoints', LATEST)];
  for (const latest of candidates) {
    if (!(await exists(latest))) continue;
    const parsed = JSON.parse(await fs.readFile(latest, 'utf8')) as { dir?: unknown };
    if (typeof parsed.dir !== 'string') throw new Error(`checkpoint: ${latest} has no 'dir' entry`);
    return path.join(path.dirname(latest), parsed.dir);
  }
  return null;
}

/** Reads a checkpoint folder written by writeTrainCheckpoint. */
export async function readTrainCheckpoint(dir: string): Promise<LoadedTrainCheckpoint> {
  const state = JSON.parse(await fs.readFile(path.join(dir, 'state.json'), 'utf8')) as TrainStateJson;
  if (state.format !== 'vqrae-train-state/1') {
    throw new Error(`checkpoint ${dir}: unknown state format '${String(state.format)}'`);
  }
  const model = await readAllWithMetadata(path.join(dir, 'model.safetensors'));
  const ema = await readAllWithMetadata(path.join(dir, 'ema.safetensors'));
  const optimizer = await readAllWithMetadata(path.join(dir, 'optimizer.safetensors'));
  const optimizerStep = Number(optimizer.metadata['step'] ?? Number.NaN);
  const adversary = await readAdversaryState(dir);
  if (!Number.isInteger(optimizerStep)) throw new Error(`checkpoint ${dir}: optimizer.safetensors has no step`);
  return {
    dir,
    state,
    model: model.tensors,
    modelMetadata: model.metadata,
    ema: ema.tensors,
    moments: optimizer.tensors,
    optimizerStep,
    adversary,
  };
}

/** The discriminator state of a checkpoint folder, or null when the run had no GAN (caller owns the tensors). */
export async function readAdversaryState(dir: string): Promise<AdversaryState | null> {
  const file = path.join(dir, DISC_FILE);
  if (!(await exists(file))) return null;
  const { tensors, metadata } = await readAllWithMetadata(file);
  const json = JSON.parse(metadata['state'] ?? 'null') as AdversaryState['json'] | null;
  if (json === null || !Number.isInteger(json.optimizerStep)) {
    tf.dispose(Object.values(tensors));
    throw new Error(`checkpoint ${dir}: ${DISC_FILE} has no discriminator state metadata`);
  }
  return { tensors, json };
}

async function readAllWithMetadata(file: string): Promise<{ tensors: Record<string, tf.Tensor>; metadata: Record<string, string> }> {
  const handle = await SafetensorsFile.open(file);
  try {
    return { tensors: await handle.readAll(), metadata: { ...handle.metadata } };
  } finally {
    await handle.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
