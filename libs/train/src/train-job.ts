import fs from 'node:fs/promises';
import path from 'node:path';
import { Graph, writeFileAtomic, type Logger, type RunSummary } from '@vqrae/graph';
import { DatasetSpec, type RemoteShardOptions } from '@vqrae/data';
import { readTrainCheckpoint, resolveCheckpointDir, type LoadedTrainCheckpoint } from './checkpoint-state.js';
import { writeLossCurves, type EvalPoint } from './curves.js';
import { decodeCropEpochSamples, decodeEpochSamples, epochRandomResizedCrop, trainBatches, type KeyedBatch } from './data-stages.js';
import { EpochSampleSource } from './epoch-source.js';
import { writeModelFile } from './export.js';
import { loadHeldOut, type EvalResult, type HeldOutSet } from './heldout.js';
import { stepLogSink } from './hooks.js';
import type { TrainJobConfig } from './job-config.js';
import { checkpointWriter, heldOutEvaluator, jobHooks } from './job-hooks.js';
import { buildTrainer, restoreOrSeed } from './job-setup.js';
import { buildStageLosses } from './loss-setup.js';
import { loadModelSource, type LoadedModel } from './model-factory.js';
import { parseEvalLog } from './eval-log.js';
import { dropStepsAfter, readStepLog, StepLogWriter } from './step-log.js';
import { writeTrainConfigFile } from './train-config-file.js';
import { trainStage, type StepHook } from './train-stage.js';
import type { Trainer } from './trainer.js';
import type { DataPosition, StepRecord } from './types.js';

/** What a finished (or stopped) training job reports. */
export interface TrainJobResult {
  readonly runDir: string;
  readonly stepsDone: number;
  readonly firstEval: EvalResult | null;
  readonly lastEval: EvalResult | null;
  readonly lastRecord: StepRecord | null;
  readonly checkpointDir: string | null;
  /** Full model with the EMA weights (tokenizer checkpoint). */
  readonly emaModelFile: string;
  readonly curves: { svg: string; png: string } | null;
  readonly summary: RunSummary;
  readonly graph: string;
}

/** How the job reports and runs its graph (the CLI passes its progress/interrupt-aware runner). */
export interface TrainJobHost {
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Runs the graph (default: graph.run and graph.txt written here); must reject when the run failed. */
  readonly runGraph?: (graph: Graph) => Promise<RunSummary>;
  /** Retries and cache of http(s) shards (training and held-out data); a runtime choice, not saved with the run. */
  readonly remote?: RemoteShardOptions;
  /**
   * The user's own hooks, run after the job's `checkpoint`, `eval` and `preview` hooks on the same step (see
   * README: "A custom hook"); their names must differ from those.
   */
  readonly hooks?: readonly StepHook[];
}

/**
 * A training job ready to run: its graph (shards → decode → crop → batch → train-step with named hooks → step log)
 * and what it owns (model, trainer, losses). Run `graph` with any runner, then `finish` with the run's summary
 * (EMA model, loss curves, train-summary.json), and always `dispose`. Under `--dry-run` the graph is only printed:
 * nothing in the run folder changes until the graph runs.
 */
export interface TrainJob {
  readonly config: TrainJobConfig;
  readonly graph: Graph;
  readonly trainer: Trainer;
  /** The hooks of the train-step stage, in order (`checkpoint`, `eval`, [`preview`], then the host's). */
  readonly hooks: readonly StepHook[];
  finish(summary: RunSummary): Promise<TrainJobResult>;
  dispose(): void;
}

/**
 * Runs one training stage as a graph: shards (epochs, resumable position) → decode → random-resized crop → batch →
 * train-step (named in-line hooks: checkpoint, eval, preview) → per-step Arrow log. Writes into
 * `config.out`: train-config.json, graph.txt, log/steps-*.arrows, eval.jsonl, previews/, checkpoints/, model-ema.safetensors,
 * loss-curves.{svg,png}, train-summary.json.
 */
export async function runTrainJob(config: TrainJobConfig, host: TrainJobHost | Logger): Promise<TrainJobResult> {
  const resolved: TrainJobHost = 'log' in host ? host : { log: host };
  const job = await openTrainJob(config, resolved);
  try {
    let summary: RunSummary;
    if (resolved.runGraph) {
      summary = await resolved.runGraph(job.graph);
    } else {
      const description = job.graph.describe();
      await fs.appendFile(path.join(config.out, 'graph.txt'), `train: ${description}\n`);
      resolved.log.info(`train: ${description}`);
      summary = await job.graph.run({ log: resolved.log, ...(resolved.signal ? { signal: resolved.signal } : {}) });
    }
    return await job.finish(summary);
  } finally {
    job.dispose();
  }
}

/**
 * Builds a training job: refuses a fresh run into a folder with checkpoints, loads the model (fresh, `--from`, or
 * the latest checkpoint on `--resume`), the stage's losses and trainer, restores or seeds their state, reads the
 * held-out set and wires the graph. The caller owns the result (`dispose`).
 */
export async function openTrainJob(config: TrainJobConfig, host: TrainJobHost): Promise<TrainJob> {
  const { log } = host;
  const runDir = config.out;
  const checkpointRoot = path.join(runDir, 'checkpoints');
  await fs.mkdir(runDir, { recursive: true });
  const resumeDir = config.resume ? await resolveCheckpointDir(checkpointRoot) : null;
  if (!config.resume && (await resolveCheckpointDir(checkpointRoot)) !== null) {
    throw new Error(`train: ${runDir} already has checkpoints; pass --resume to continue it or choose another --out`);
  }
  if (config.resume && resumeDir === null) log.warn(`train: --resume given but ${checkpointRoot} has no checkpoint; starting fresh`);

  const resumed = resumeDir ? await readTrainCheckpoint(resumeDir) : null;
  const loaded: LoadedModel = await loadModelSource(config, resumed, runDir, log);
  try {
    return await trainLoaded(config, loaded, resumed, host);
  } catch (error) {
    loaded.teacher?.dispose();
    loaded.model.dispose();
    throw error;
  }
}

async function trainLoaded(
  config: TrainJobConfig,
  loaded: LoadedModel,
  resumed: LoadedTrainCheckpoint | null,
  host: TrainJobHost,
): Promise<TrainJob> {
  const losses = await buildStageLosses(config, loaded, host.log);
  for (const line of losses.description) host.log.info(`train: ${line}`);
  let trainer: Trainer;
  try {
    trainer = buildTrainer(config, loaded, losses);
  } catch (error) {
    losses.dispose();
    throw error;
  }
  try {
    const start = restoreOrSeed(trainer, resumed, loaded, config, host.log);
    const heldOut = config.evalData ? await loadHeldOut(config.evalData, loaded.model.inputSize, config.evalImages, host.remote) : null;
    const wired = buildJobGraph({ config, loaded, resumed, host }, trainer, heldOut, start);
    let disposed = false;
    return {
      config,
      graph: wired.graph,
      trainer,
      hooks: wired.hooks,
      finish: (summary) => finishJob(config, loaded, trainer, wired, summary),
      dispose() {
        if (disposed) return;
        disposed = true;
        trainer.dispose();
        losses.dispose();
        loaded.teacher?.dispose();
        loaded.model.dispose();
      },
    };
  } catch (error) {
    trainer.dispose();
    losses.dispose();
    throw error;
  }
}

/** The parts one training run works with (all owned by the TrainJob). */
interface JobParts {
  readonly config: TrainJobConfig;
  readonly loaded: LoadedModel;
  readonly resumed: LoadedTrainCheckpoint | null;
  readonly host: TrainJobHost;
}

/** The wired graph and what finishing the job needs from it. */
interface WiredGraph {
  readonly graph: Graph;
  readonly hooks: readonly StepHook[];
  readonly description: string;
  lastCheckpoint(): string | null;
}

function buildJobGraph(job: JobParts, trainer: Trainer, heldOut: HeldOutSet | null, start: DataPosition): WiredGraph {
  const { config, loaded, resumed, host } = job;
  const { log } = host;
  const runDir = config.out;
  const { model } = loaded;
  const evaluate = heldOutEvaluator(config, loaded, trainer, heldOut, log);
  const remote = host.remote ? { remote: host.remote } : {};
  const spec = new DatasetSpec({ shards: config.data, seed: config.seed, shuffleShards: true, shuffle: { size: config.shuffleBuffer }, epochs: 1, ...remote });
  let warnedSmallEpoch = false;
  const source = new EpochSampleSource(spec, start, (epoch, samples) => {
    if (warnedSmallEpoch || samples >= config.batch) return;
    warnedSmallEpoch = true;
    log.warn(`train: --batch ${config.batch} exceeds the ${samples} training image(s) of one epoch of ${config.data}: every batch repeats each image ~${Math.ceil(config.batch / samples)} times`);
  });
  const checkpoints = checkpointWriter(config, loaded, trainer, source);
  const hooks = [
    ...jobHooks(config, checkpoints.save, evaluate, { evaluateAtStart: !resumed, heldOutImages: heldOut ? heldOut.keys.length : null }),
    ...(host.hooks ?? []),
  ];
  const resumedAt = trainer.step;

  const writer = new StepLogWriter(path.join(runDir, 'log'), trainer.step, {
    preset: config.preset,
    stage: String(config.stage),
    objective: trainer.objective.name,
    config: JSON.stringify(config),
  }, 1); // one record batch per step: a killed run keeps every logged step (a few hundred bytes each)
  const deadline = config.maxMinutes === null ? Number.POSITIVE_INFINITY : Date.now() + config.maxMinutes * 60_000;
  const batchSize = config.batch;
  const crop = { size: model.inputSize, seed: config.seed, scale: { min: config.cropScaleMin, max: 1 } };
  // exact: every image decoded in full, then cropped; fast: decode and crop in one stage (shrink-on-load for large JPEG/WebP).
  const images = config.decodeMode === 'exact'
    ? Graph.from(source).pipe(decodeEpochSamples(2, config.onError)).pipe(epochRandomResizedCrop(crop))
    : Graph.from(source).pipe(decodeCropEpochSamples({ ...crop, onError: config.onError }));
  const graph = images
    .pipe(trainBatches(batchSize))
    .pipe(
      trainStage<KeyedBatch>({
        trainer,
        totalSteps: config.steps,
        samplesBefore: start.samplesTotal,
        toTrainBatch: (batch) => batch,
        consumedThrough: (batch) => batch.consumedThrough,
        epochAt: (samples) => source.positionAt(samples).epoch,
        hooks,
        // Run records change only once the graph runs (never under --dry-run): the resolved config, and on a resume
        // the steps and evaluations a killed run logged after its checkpoint.
        onStart: async () => {
          await writeTrainConfigFile(runDir, config);
          if (resumed) await forgetStepsAfter(runDir, resumedAt, log);
        },
        deadline,
        ...(config.stopAfterStep !== null ? { stopAfterStep: config.stopAfterStep } : {}),
      }),
    )
    .to(
      stepLogSink(writer, (record) => {
        if (record.step % 10 === 0 || record.step === config.steps) {
          // Terms not active at this step (adversarial before its start) are NaN in the log and left out here.
          const terms = Object.entries(record.terms).filter(([, v]) => !Number.isNaN(v)).map(([k, v]) => `${k} ${v.toExponential(3)}`).join(', ');
          log.info(`step ${record.step}/${config.steps}: loss ${record.loss.toExponential(4)} (${terms}), lr ${record.lr['base']!.toExponential(2)}, |g| ${record.gradNorm.toExponential(2)}, codes ${record.codesUsed}, ${record.imagesPerSecond.toFixed(1)} img/s`);
        }
      }),
    );
  return { graph, hooks, description: graph.describe(), lastCheckpoint: checkpoints.last };
}

/** After the graph ran: the EMA model, loss curves and train-summary.json of the run folder. */
async function finishJob(config: TrainJobConfig, loaded: LoadedModel, trainer: Trainer, wired: WiredGraph, summary: RunSummary): Promise<TrainJobResult> {
  const runDir = config.out;
  const { model } = loaded;
  const emaModelFile = path.join(runDir, 'model-ema.safetensors');
  await writeModelFile(emaModelFile, model.params, trainer.ema.store(), loaded.metadata());
  const rows = await readStepLog(path.join(runDir, 'log'));
  const allEvals = await readEvals(path.join(runDir, 'eval.jsonl'));
  const curves = rows.length > 0
    ? await writeLossCurves(rows, allEvals.map((e): EvalPoint => e), runDir, { title: `${config.preset} stage ${config.stage}` })
    : null;
  const lastRecord = rows.length > 0 ? rowToRecord(rows[rows.length - 1]!) : null;
  const result: TrainJobResult = {
    runDir,
    stepsDone: trainer.step,
    firstEval: allEvals[0] ?? null,
    lastEval: allEvals[allEvals.length - 1] ?? null,
    lastRecord,
    checkpointDir: wired.lastCheckpoint(),
    emaModelFile,
    curves,
    summary,
    graph: wired.description,
  };
  await writeFileAtomic(
    path.join(runDir, 'train-summary.json'),
    `${JSON.stringify({ ...result, summary: { wallMs: summary.wallMs, cancelled: summary.cancelled }, evals: allEvals }, null, 2)}\n`,
  );
  return result;
}

/**
 * A resume from the checkpoint of `step`: the steps and evaluations a killed run logged after it are trained and
 * evaluated again, so they are removed from `log/steps-*.arrows` and `eval.jsonl` first (each step is logged once);
 * a partial batch of rows a kill left at a segment's end is cut off (logged).
 */
async function forgetStepsAfter(runDir: string, step: number, log: Logger): Promise<void> {
  const { rows, torn } = await dropStepsAfter(path.join(runDir, 'log'), step);
  if (torn.length > 0) {
    const logged = new Set((await readStepLog(path.join(runDir, 'log'))).map((row) => row['step']!));
    const missing = stepRanges([...Array(step).keys()].map((i) => i + 1).filter((s) => !logged.has(s)));
    for (const file of torn) {
      log.warn(
        `train --resume: ${file} ended in a partially written batch of rows (the run was killed mid-write); its complete rows are kept` +
          (missing === '' ? '' : `; the log has no row for step(s) ${missing} (trained, in the checkpoint, not logged)`),
      );
    }
  }
  const evalFile = path.join(runDir, 'eval.jsonl');
  const text = await fs.readFile(evalFile, 'utf8').catch(() => null);
  let evals = 0;
  if (text !== null) {
    const { entries, tornTail } = parseEvalLog(text, evalFile);
    if (tornTail !== null) log.warn(`train --resume: ${evalFile} ended in a partially written line (the run was killed mid-write); it is dropped`);
    const kept = entries.filter((entry) => entry.result.step <= step);
    evals = entries.length - kept.length;
    if (evals > 0 || tornTail !== null) {
      await writeFileAtomic(evalFile, kept.map((entry) => `${entry.line}\n`).join(''));
    }
  }
  if (rows + evals > 0) log.info(`train --resume: ${rows} logged step(s) and ${evals} evaluation(s) after step ${step} (the checkpoint) are run again and replaced`);
}

/** Ascending steps as compact ranges: [3, 4, 5, 9] → '3–5, 9'. */
function stepRanges(steps: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length; i++) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j]! + 1) j++;
    parts.push(j === i ? String(steps[i]) : `${steps[i]}–${steps[j]}`);
    i = j;
  }
  return parts.join(', ');
}

/** The evaluations of a run, one per step (the last row of a step wins); a torn last line is left out. */
async function readEvals(file: string): Promise<EvalResult[]> {
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const byStep = new Map<number, EvalResult>();
  for (const { result } of parseEvalLog(text, file).entries) byStep.set(result.step, result);
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

function rowToRecord(row: Record<string, number>): StepRecord {
  const lr: Record<string, number> = {};
  const terms: Record<string, number> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('lr_')) lr[key.slice(3)] = value;
    else if (key.startsWith('loss_')) terms[key.slice(5)] = value;
  }
  return {
    step: row['step']!, epoch: row['epoch']!, samplesTotal: row['samples_total']!, wallSeconds: row['wall_s']!,
    lr, gradNorm: row['grad_norm']!, loss: row['loss']!, terms, codesUsed: row['codes_used']!,
    codeUsage: row['code_usage']!, imagesPerSecond: row['images_per_s']!,
  };
}

