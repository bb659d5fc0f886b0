// @vqrae/train: VQRAE training as a graph (see README.md). The trainer and its objectives are generic over the model;
// the job helpers build the spec's stage-1/stage-2 recipe from a TrainJobConfig.
export type { DataPosition, ObjectiveOutput, StepRecord, TrainBatch, TrainObjective } from './types.js';
export { Trainer, type OptimizerConfig, type StepMeasure, type TrainerConfig } from './trainer.js';
export { LrGroups, type LrGroupConfig, type ScheduleConfig } from './lr-groups.js';
export { addInto, disposeAll, globalNorm, scaleAll } from './gradients.js';
export { assertFinite, NonFiniteLossError } from './nan-guard.js';
export { Adversary, type AdversaryConfig, type AdversaryState } from './adversary.js';
export { GAN_TERMS, stage1Objective, stage2Objective, type ObjectiveWeights, type PerceptualSetup, type TokenizerParts } from './objectives.js';
export { buildStageLosses, type StageLosses } from './loss-setup.js';
export { loadModelSource, presetOf, tokenizerParts, type LoadedModel } from './model-factory.js';
export { InitRefusedError, loadInitWeights } from './init-weights.js';
export { applyQuantizerOverride, assertQuantizerMatches, quantizerMismatches, QuantizerOverrideError, type QuantizerOverride } from './quantizer-override.js';
export {
  checkpointDirName,
  readAdversaryState,
  readTrainCheckpoint,
  resolveCheckpointDir,
  writeTrainCheckpoint,
  type LoadedTrainCheckpoint,
  type TrainCheckpointTensors,
  type TrainStateJson,
} from './checkpoint-state.js';
export { evalStoreOf, writeModelFile } from './export.js';
export { EpochSampleSource, type StreamStart, type TrainSourceSample } from './epoch-source.js';
export { decodeCropEpochSamples, decodeEpochSamples, epochRandomResizedCrop, trainBatches, type EpochTagged, type KeyedBatch, type TrainCropConfig } from './data-stages.js';
export { codeUsageOf, describeHooks, trainStage, type StepHook, type TrainHook, type TrainStageOptions } from './train-stage.js';
export { periodicHook, stepLogSink, type PeriodicHookOptions } from './hooks.js';
export { dropStepsAfter, readStepLog, StepLogWriter, stepRow, type StepRow } from './step-log.js';
export { renderSvg, writeChart, writeDriftComparison, writeLossCurves, type EvalPoint } from './curves.js';
export { FAST_CROP_HEADROOM, fastRandomResizedCrop } from './fast-crop.js';
export { writePreviewGrid, type PreviewShape } from './preview.js';
export { evaluateHeldOut, loadHeldOut, type EvalResult, type HeldOutSet } from './heldout.js';
export { defaultPerceptualWeight, trainDefaults, type TrainJobConfig } from './job-config.js';
export { buildTrainer, restoreOrSeed } from './job-setup.js';
export { checkpointWriter, heldOutEvaluator, jobHooks, type JobHookContext } from './job-hooks.js';
export { TRAIN_CONFIG_FILE, TRAIN_CONFIG_HISTORY, writeTrainConfigFile } from './train-config-file.js';
export { openTrainJob, runTrainJob, type TrainJob, type TrainJobHost, type TrainJobResult } from './train-job.js';
export * from './settings/index.js';
export { summaryOrThrow } from './run-outcome.js';
export * from './ablate/index.js';
