import * as tf from '@tensorflow/tfjs-core';
import type { Logger } from '@vqrae/graph';
import type { LoadedTrainCheckpoint } from './checkpoint-state.js';
import type { TrainJobConfig } from './job-config.js';
import { completeSavedTrainConfig } from './settings/resume-config.js';
import type { LoadedModel } from './model-factory.js';
import type { StageLosses } from './loss-setup.js';
import { stage1Objective, stage2Objective } from './objectives.js';
import { Trainer } from './trainer.js';
import type { DataPosition } from './types.js';

/** The stage's objective and trainer (stage 2: the encoder is its own learning-rate group). Borrows `losses`. */
export function buildTrainer(config: TrainJobConfig, loaded: LoadedModel, losses: StageLosses): Trainer {
  const { model, parts, teacher } = loaded;
  const pixel = { kind: config.pixelLoss, weight: 1 };
  const { perceptual, adversary } = losses;
  const objective =
    config.stage === 1
      ? stage1Objective(parts, model.params, { pixel, ssim: config.ssimWeight, vq: 1, perceptual }, adversary)
      : stage2Objective(parts, model.params, teacher!, { pixel, ssim: config.ssimWeight, vq: 1, distill: config.distillWeight, perceptual }, adversary);
  const encoderGroup =
    config.stage === 2 ? [{ name: 'encoder', prefixes: [loaded.encoderPrefix], base: config.encoderLr, final: config.encoderFinalLr }] : [];
  return new Trainer(model.params, objective, {
    optimizer: { beta1: config.beta1, beta2: config.beta2, eps: 1e-8, weightDecay: config.weightDecay },
    lr: { base: config.lr, final: config.finalLr, groups: encoderGroup },
    schedule: { warmupSteps: config.warmupSteps, totalSteps: config.steps },
    emaDecay: config.emaDecay,
    emaWarmup: config.emaWarmup,
    clipGradNorm: config.clipGradNorm,
    accumulate: config.accumulate,
  }, adversary);
}

/** Settings that only control this invocation (not the training trajectory). */
const RUN_CONTROL_KEYS = new Set(['resume', 'out', 'maxMinutes', 'stopAfterStep', 'from', 'checkpointEvery', 'keepCheckpoints', 'previewEvery', 'evalEvery', 'evalImages', 'evalData']);

/**
 * Restores EMA, AdamW moments, step counter and data position from `resumed`, or (fresh stage 2) seeds the EMA from
 * the stage-1 EMA for everything but the encoder (spec §7.10). Disposes the checkpoint's tensors and the EMA seed.
 */
export function restoreOrSeed(
  trainer: Trainer,
  resumed: LoadedTrainCheckpoint | null,
  loaded: LoadedModel,
  config: TrainJobConfig,
  log: Logger,
): DataPosition {
  let start: DataPosition = { epoch: 0, samplesInEpoch: 0, samplesTotal: 0 };
  if (resumed) {
    // Keys the checkpoint's run did not have yet (e.g. decodeMode, ssimWeight) compare against what it ran with: the
    // completion the resume applies to its saved config.
    const before = completeSavedTrainConfig(resumed.state.config as TrainJobConfig) as unknown as Readonly<Record<string, unknown>>;
    const changed = Object.entries(config)
      .filter(([key, value]) => !RUN_CONTROL_KEYS.has(key) && JSON.stringify(before[key]) !== JSON.stringify(value))
      .map(([key, value]) => `${key} ${JSON.stringify(before[key])} → ${JSON.stringify(value)}`);
    if (changed.length > 0) log.warn(`train --resume: settings differ from the checkpoint's run (the resumed losses will not match an uninterrupted run): ${changed.join(', ')}`);
    trainer.ema.store().load(resumed.ema, { strict: true });
    trainer.optimizer.setState({ step: resumed.optimizerStep, moments: resumed.moments });
    trainer.restoreStep(resumed.state.step);
    if (trainer.adversary) {
      if (!resumed.adversary) throw new Error(`train --resume: ${resumed.dir} has no discriminator state but this run trains a GAN`);
      trainer.adversary.restore(resumed.adversary);
    }
    if (resumed.adversary) tf.dispose(Object.values(resumed.adversary.tensors));
    start = resumed.state.data;
    tf.dispose([...Object.values(resumed.model), ...Object.values(resumed.ema), ...Object.values(resumed.moments)]);
    log.info(`train: resumed ${resumed.dir} at step ${resumed.state.step} (epoch ${start.epoch}, sample ${start.samplesInEpoch})`);
  } else if (loaded.emaSeed) {
    for (const name of trainer.ema.store().names()) {
      const seed = loaded.emaSeed[name];
      if (seed && !name.startsWith(loaded.encoderPrefix)) trainer.ema.store().assign(name, seed);
    }
  }
  if (loaded.emaSeed) tf.dispose(Object.values(loaded.emaSeed));
  return start;
}
