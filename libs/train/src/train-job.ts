import fs from 'node:fs/promises';
import path from 'node:path';
import { Graph, type Logger, type RunSummary } from '@vqrae/graph';
import { DatasetSpec, type RemoteShardOptions } from '@vqrae/data';
import { readTrainCheckpoint, resolveCheckpointDir, type LoadedTrainCheckpoint } from './checkpoint-state.js';
import { writeLossCurves, type EvalPoint } from './curves.js';
import { decodeEpochSamples, epochRandomResizedCrop, trainBatches, type KeyedBatch } from './data-stages.js';
import { EpochSampleSource } from './epoch-source.js';
import { writeModelFile } from './export.js';
import { loadHeldOut, type EvalResult, type HeldOutSet } from './heldout.js';
import { stepLogSink } from './hooks.js';
import type { TrainJobConfig } from './job-config.js';
import { checkpointWriter, heldOutEvaluator, jobHooks } from './job-hooks.js';
import { buildTrainer, restoreOrSeed } from './job-setup.js';
import { buildStageLosses } from './loss-setup.js';
import { loadModelSource, type LoadedModel } from './model-factory.js';
import { dropStepsAfter, readStepLog, StepLogWriter } from './step-log.js';
import { writeTrainConfigFile } from './train-config-file.js';
import { trainStage } from './train-stage.js';
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
}

/**
 * Runs one training stage as a graph: shards (epochs, resumable position) → decode → random-resized crop → batch →
 * train-step (in-line hooks: checkpoints, previews, held-out evaluation) → per-step Arrow log. Writes into
 * `config.out`: train-config.json, graph.txt, log/steps-*.arrows, eval.jsonl, previews/, checkpoints/, model-ema.safetensors,
 * loss-curves.{svg,png}, train-summary.json.
 */
export async function runTrainJob(config: TrainJobConfig, host: TrainJobHost | Logger): Promise<TrainJobResult> {
  const { log, signal, runGraph, remote } = 'log' in host ? host : { log: host, signal: undefined, runGraph: undefined, remote: undefined };
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
    return await trainLoaded(config, loaded, resumed, { log, signal, runGraph, remote });
  } finally {
    loaded.teacher?.dispose();
    loaded.model.dispose();
  }
}

/** The parts one training run works with (all owned by runTrainJob). */
interface JobParts {
  readonly config: TrainJobConfig;
  readonly loaded: LoadedModel;
  readonly resumed: LoadedTrainCheckpoint | null;
  readonly host: {
    log: Logger;
    signal: AbortSignal | undefined;
    runGraph: ((graph: Graph) => Promise<RunSummary>) | undefined;
    remote: RemoteShardOptions | undefined;
  };
}

async function trainLoaded(
  config: TrainJobConfig,
  loaded: LoadedModel,
  resumed: LoadedTrainCheckpoint | null,
  host: JobParts['host'],
): Promise<TrainJobResult> {
  const losses = await buildStageLosses(config, loaded, host.log);
  for (const line of losses.description) host.log.info(`train: ${line}`);
  let trainer: Trainer;
  try {
    trainer = buildTrainer(config, loaded, losses);
  } catch (error) {
    losses.dispose();
    throw error;
  }
  let heldOut: HeldOutSet | null = null;
  try {
    const start = restoreOrSeed(trainer, resumed, loaded, config, host.log);
    heldOut = config.evalData ? await loadHeldOut(config.evalData, loaded.model.inputSize, config.evalImages, host.remote) : null;
    return await runGraphWith({ config, loaded, resumed, host }, trainer, heldOut, start);
  } finally {
    trainer.dispose();
    losses.dispose();
  }
}

async function runGraphWith(job: JobParts, trainer: Trainer, heldOut: HeldOutSet | null, start: DataPosition): Promise<TrainJobResult> {
  const { config, loaded, resumed, host } = job;
  const { log, signal } = host;
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
  const hooks = jobHooks(config, checkpoints.save, evaluate);
  if (!resumed) await evaluate(0, true);
  else await forgetStepsAfter(runDir, trainer.step, log);

  const writer = new StepLogWriter(path.join(runDir, 'log'), trainer.step, {
    preset: config.preset,
    stage: String(config.stage),
    objective: trainer.objective.name,
    config: JSON.stringify(config),
  }, 1); // one record batch per step: a killed run keeps every logged step (a few hundred bytes each)
  const deadline = config.maxMinutes === null ? Number.POSITIVE_INFINITY : Date.now() + config.maxMinutes * 60_000;
  const batchSize = config.batch;
  const graph = Graph.from(source)
    .pipe(decodeEpochSamples(2, config.onError))
    .pipe(epochRandomResizedCrop({ size: model.inputSize, seed: config.seed, scale: { min: config.cropScaleMin, max: 1 } }))
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
  const description = graph.describe();
  await writeTrainConfigFile(runDir, config);
  let summary: RunSummary;
  if (host.runGraph) {
    summary = await host.runGraph(graph);
  } else {
    await fs.appendFile(path.join(runDir, 'graph.txt'), `train: ${description}\n`);
    log.info(`train: ${description}`);
    summary = await graph.run({ log, ...(signal ? { signal } : {}) });
  }

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
    checkpointDir: checkpoints.last(),
    emaModelFile,
    curves,
    summary,
    graph: description,
  };
  await fs.writeFile(
    path.join(runDir, 'train-summary.json'),
    `${JSON.stringify({ ...result, summary: { wallMs: summary.wallMs, cancelled: summary.cancelled }, evals: allEvals }, null, 2)}\n`,
  );
  return result;
}

/**
 * A resume from the checkpoint of `step`: the steps and evaluations a killed run logged after it are trained and
 * evaluated again, so they are removed from `log/steps-*.arrows` and `eval.jsonl` first (each step is logged once).
 */
async function forgetStepsAfter(runDir: string, step: number, log: Logger): Promise<void> {
  const rows = await dropStepsAfter(path.join(runDir, 'log'), step);
  const evalFile = path.join(runDir, 'eval.jsonl');
  const text = await fs.readFile(evalFile, 'utf8').catch(() => null);
  let evals = 0;
  if (text !== null) {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    const kept = lines.filter((line) => (JSON.parse(line) as { step: number }).step <= step);
    evals = lines.length - kept.length;
    if (evals > 0) {
      await fs.writeFile(`${evalFile}.tmp-${process.pid}`, kept.map((line) => `${line}\n`).join(''));
      await fs.rename(`${evalFile}.tmp-${process.pid}`, evalFile);
    }
  }
  if (rows + evals > 0) log.info(`train --resume: ${rows} logged step(s) and ${evals} evaluation(s) after step ${step} (the checkpoint) are run again and replaced`);
}

async function readEvals(file: string): Promise<EvalResult[]> {
  try {
    const text = await fs.readFile(file, 'utf8');
    const byStep = new Map<number, EvalResult>();
    for (const line of text.split('\n')) if (line.trim()) {
      const parsed = JSON.parse(line) as EvalResult;
      byStep.set(parsed.step, parsed);
    }
    return [...byStep.values()].sort((a, b) => a.step - b.step);
  } catch {
    return [];
  }
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

