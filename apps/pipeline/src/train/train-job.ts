import fs from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Graph, type Logger, type RunSummary } from '@vqrae/graph';
import { DatasetSpec } from '@vqrae/data';
import { readTrainCheckpoint, resolveCheckpointDir, writeTrainCheckpoint, type LoadedTrainCheckpoint, type TrainStateJson } from './checkpoint-state.js';
import { writeLossCurves, type EvalPoint } from './curves.js';
import { decodeEpochSamples, epochRandomResizedCrop, trainBatches, type KeyedBatch } from './data-stages.js';
import { EpochSampleSource } from './epoch-source.js';
import { evaluateHeldOut, loadHeldOut, type EvalResult, type HeldOutSet } from './heldout.js';
import { periodicHook, stepLogSink } from './hooks.js';
import type { TrainJobConfig } from './job-config.js';
import { loadModelSource, type LoadedModel } from './model-factory.js';
import { stage1Objective, stage2Objective } from './objectives.js';
import { writePreviewGrid } from './preview.js';
import { readStepLog, StepLogWriter } from './step-log.js';
import { trainStage, type StepHook } from './train-stage.js';
import { Trainer } from './trainer.js';
import { evalStoreOf, writeModelFile } from './export.js';
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

/**
 * Runs one training stage as a graph: shards (epochs, resumable position) → decode → random-resized crop → batch →
 * train-step (in-line hooks: checkpoints, previews, held-out evaluation) → per-step Arrow log. Writes into
 * `config.out`: train-config.json, graph.txt, log/steps-*.arrows, eval.jsonl, previews/, checkpoints/, model-ema.safetensors,
 * loss-curves.{svg,png}, train-summary.json.
 */
/** How the job reports and runs its graph (the CLI passes its progress/interrupt-aware runner). */
export interface TrainJobHost {
  readonly log: Logger;
  readonly signal?: AbortSignal;
  /** Runs the graph (default: graph.run and graph.txt written here); must reject when the run failed. */
  readonly runGraph?: (graph: Graph) => Promise<RunSummary>;
}

export async function runTrainJob(config: TrainJobConfig, host: TrainJobHost | Logger): Promise<TrainJobResult> {
  const { log, signal, runGraph } = 'log' in host ? host : { log: host, signal: undefined, runGraph: undefined };
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
    return await trainLoaded(config, loaded, resumed, { log, signal, runGraph }, checkpointRoot);
  } finally {
    loaded.teacher?.dispose();
    loaded.model.dispose();
  }
}

async function trainLoaded(
  config: TrainJobConfig,
  loaded: LoadedModel,
  resumed: LoadedTrainCheckpoint | null,
  host: { log: Logger; signal: AbortSignal | undefined; runGraph: ((graph: Graph) => Promise<RunSummary>) | undefined },
  checkpointRoot: string,
): Promise<TrainJobResult> {
  const { log, signal } = host;
  const runDir = config.out;
  const { model, parts, teacher } = loaded;
  const objective =
    config.stage === 1
      ? stage1Objective(parts, model.params, { pixel: { kind: config.pixelLoss, weight: 1 }, vq: 1 })
      : stage2Objective(parts, model.params, teacher!, { pixel: { kind: config.pixelLoss, weight: 1 }, vq: 1, distill: config.distillWeight });
  const encoderGroup = config.stage === 2
    ? [{ name: 'encoder', prefixes: [loaded.encoderPrefix], base: config.encoderLr, final: config.encoderFinalLr }]
    : [];
  const trainer = new Trainer(model.params, objective, {
    optimizer: { beta1: config.beta1, beta2: config.beta2, eps: 1e-8, weightDecay: config.weightDecay },
    lr: { base: config.lr, final: config.finalLr, groups: encoderGroup },
    schedule: { warmupSteps: config.warmupSteps, totalSteps: config.steps },
    emaDecay: config.emaDecay,
    emaWarmup: config.emaWarmup,
    clipGradNorm: config.clipGradNorm,
    accumulate: config.accumulate,
  });
  let start: DataPosition = { epoch: 0, samplesInEpoch: 0, samplesTotal: 0 };
  if (resumed) {
    trainer.ema.store().load(resumed.ema, { strict: true });
    trainer.optimizer.setState({ step: resumed.optimizerStep, moments: resumed.moments });
    trainer.restoreStep(resumed.state.step);
    start = resumed.state.data;
    tf.dispose([...Object.values(resumed.model), ...Object.values(resumed.ema), ...Object.values(resumed.moments)]);
    log.info(`train: resumed ${resumed.dir} at step ${resumed.state.step} (epoch ${start.epoch}, sample ${start.samplesInEpoch})`);
  } else if (loaded.emaSeed) {
    // Spec §7.10: the stage-2 EMA starts from the stage-1 EMA for everything but the encoder.
    for (const name of trainer.ema.store().names()) {
      const seed = loaded.emaSeed[name];
      if (seed && !name.startsWith(loaded.encoderPrefix)) trainer.ema.store().assign(name, seed);
    }
  }
  if (loaded.emaSeed) tf.dispose(Object.values(loaded.emaSeed));

  const heldOut: HeldOutSet | null = config.evalData ? await loadHeldOut(config.evalData, model.inputSize, config.evalImages) : null;
  const evals: EvalResult[] = [];
  const evalFile = path.join(runDir, 'eval.jsonl');
  const evaluate = async (step: number, withPreview: boolean): Promise<void> => {
    if (!heldOut) return;
    const store = evalStoreOf(model.params, trainer.ema.store());
    try {
      const { result, preview } = evaluateHeldOut(parts, store, teacher, heldOut, step, config.batch, 8);
      try {
        if (withPreview) {
          const originals = tf.slice(heldOut.images, [0, 0, 0, 0], [preview.shape[0], -1, -1, -1]) as tf.Tensor4D;
          await writePreviewGrid(originals, preview, path.join(runDir, 'previews', `step-${String(step).padStart(8, '0')}.png`));
          originals.dispose();
        }
      } finally {
        preview.dispose();
      }
      evals.push(result);
      await fs.appendFile(evalFile, `${JSON.stringify(result)}\n`);
      const drift = result.driftMse === null ? '' : `, drift ‖Z_I−Z_T‖²/n ${result.driftMse.toExponential(3)} (rel ${result.driftRelative!.toFixed(4)})`;
      log.info(`eval step ${step}: PSNR ${result.psnr.toFixed(3)} dB, utilisation ${(100 * result.utilisation).toFixed(1)}%, perplexity ${result.perplexity.toFixed(1)}${drift} (${result.images} held-out images, EMA)`);
    } finally {
      store.dispose();
    }
  };

  const spec = new DatasetSpec({ shards: config.data, seed: config.seed, shuffleShards: true, shuffle: { size: config.shuffleBuffer }, epochs: 1 });
  const source = new EpochSampleSource(spec, start);
  let lastCheckpoint: string | null = null;
  const saveCheckpoint = async (step: number, samplesTotal: number): Promise<void> => {
    const position = source.positionAt(samplesTotal);
    const state: TrainStateJson = {
      format: 'vqrae-train-state/1',
      stage: config.stage,
      step,
      data: { ...position, samplesTotal },
      rng: { note: 'no stateful generator in this recipe: order = f(seed, epoch), crops = f(seed, epoch, key)', seed: config.seed },
      config,
      createdAt: new Date().toISOString(),
    };
    const optimizerState = trainer.optimizer.getState();
    lastCheckpoint = await writeTrainCheckpoint(
      checkpointRoot,
      {
        model: model.params.toNamedTensors(),
        modelMetadata: loaded.metadata(),
        ema: trainer.ema.store().toNamedTensors(),
        moments: optimizerState.moments,
        optimizerStep: optimizerState.step,
      },
      state,
      config.keepCheckpoints,
    );
  };
  const isMultiple = (step: number, every: number): boolean => every > 0 && step % every === 0;
  const hooks: StepHook[] = [
    periodicHook('checkpoint', config.checkpointEvery, saveCheckpoint, { atEnd: true }),
    periodicHook('eval', config.evalEvery, (step) => evaluate(step, isMultiple(step, config.previewEvery) || step >= config.steps), { atEnd: true }),
  ];
  if (config.previewEvery > 0 && !isMultiple(config.previewEvery, config.evalEvery)) {
    // Previews come with an evaluation of the same weights; these steps are not evaluation steps.
    hooks.push(periodicHook('preview', config.previewEvery, (step) => (isMultiple(step, config.evalEvery) ? undefined : evaluate(step, true)), { atEnd: false }));
  }
  if (!resumed) await evaluate(0, true);

  const writer = new StepLogWriter(path.join(runDir, 'log'), trainer.step, {
    preset: config.preset,
    stage: String(config.stage),
    objective: objective.name,
    config: JSON.stringify(config),
  });
  const deadline = config.maxMinutes === null ? Number.POSITIVE_INFINITY : Date.now() + config.maxMinutes * 60_000;
  const batchSize = config.batch;
  const graph = Graph.from(source)
    .pipe(decodeEpochSamples(2))
    .pipe(epochRandomResizedCrop({ size: model.inputSize, seed: config.seed, scale: { min: config.cropScaleMin, max: 1 } }))
    .pipe(trainBatches(batchSize))
    .pipe(
      trainStage<KeyedBatch>({
        trainer,
        totalSteps: config.steps,
        samplesBefore: start.samplesTotal,
        toTrainBatch: (batch) => batch,
        epochAt: (samples) => source.positionAt(samples).epoch,
        hooks,
        deadline,
        ...(config.stopAfterStep !== null ? { stopAfterStep: config.stopAfterStep } : {}),
      }),
    )
    .to(
      stepLogSink(writer, (record) => {
        if (record.step % 10 === 0 || record.step === config.steps) {
          const terms = Object.entries(record.terms).map(([k, v]) => `${k} ${v.toExponential(3)}`).join(', ');
          log.info(`step ${record.step}/${config.steps}: loss ${record.loss.toExponential(4)} (${terms}), lr ${record.lr['base']!.toExponential(2)}, |g| ${record.gradNorm.toExponential(2)}, codes ${record.codesUsed}, ${record.imagesPerSecond.toFixed(1)} img/s`);
        }
      }),
    );
  const description = graph.describe();
  await fs.writeFile(path.join(runDir, 'train-config.json'), `${JSON.stringify(config, null, 2)}\n`);
  let summary: RunSummary;
  try {
    if (host.runGraph) {
      summary = await host.runGraph(graph);
    } else {
      await fs.appendFile(path.join(runDir, 'graph.txt'), `train: ${description}\n`);
      log.info(`train: ${description}`);
      summary = await graph.run({ log, ...(signal ? { signal } : {}) });
    }
  } catch (error) {
    trainer.dispose();
    throw error;
  } finally {
    heldOut?.dispose();
  }

  const emaModelFile = path.join(runDir, 'model-ema.safetensors');
  await writeModelFile(emaModelFile, model.params, trainer.ema.store(), loaded.metadata());
  const rows = await readStepLog(path.join(runDir, 'log'));
  const allEvals = await readEvals(evalFile);
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
    checkpointDir: lastCheckpoint,
    emaModelFile,
    curves,
    summary,
    graph: description,
  };
  await fs.writeFile(
    path.join(runDir, 'train-summary.json'),
    `${JSON.stringify({ ...result, summary: { wallMs: summary.wallMs, cancelled: summary.cancelled }, evals: allEvals }, null, 2)}\n`,
  );
  trainer.dispose();
  return result;
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

