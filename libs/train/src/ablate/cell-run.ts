/**
 * One cell of an ablation grid: a stage-1 training run in its own folder (`<grid>/cells/<name>`, resumed from its
 * last checkpoint when a killed run left one), then the evaluation of its EMA weights, then `cell-result.json`
 * written atomically. That file is what "finished" means: a rerun skips a cell that has it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFileAtomic, type Graph, type Logger, type RunSummary } from '@vqrae/graph';
import type { RemoteShardOptions } from '@vqrae/data';
import { resolveCheckpointDir } from '../checkpoint-state.js';
import type { TrainJobConfig } from '../job-config.js';
import { loggedWallSeconds } from '../step-log.js';
import { openTrainJob } from '../train-job.js';
import { evaluateCell, type CellMetrics } from './cell-eval.js';
import type { AblationCell } from './grid.js';

export const CELL_RESULT_FILE = 'cell-result.json';
export const CELL_RESULT_FORMAT = 'vqrae-ablation-cell/1';

/** `<grid>/cells/<cell name>`. */
export function cellDir(gridDir: string, cell: Pick<AblationCell, 'name'>): string {
  return path.join(gridDir, 'cells', cell.name);
}

/** The record of a finished cell. */
export interface CellResult {
  readonly format: typeof CELL_RESULT_FORMAT;
  readonly cell: AblationCell;
  readonly steps: number;
  readonly metrics: CellMetrics;
  /**
   * Training + evaluation wall time of the cell (s): the finishing invocation's, plus, when it resumed, the time the
   * earlier invocations took to reach the checkpoint it resumed from (from their step logs; steps a killed run
   * trained past its last checkpoint are not counted). Start-up of the earlier invocations is in it, their
   * checkpoint writes after the last logged step are not.
   */
  readonly wallSeconds: number;
  /** The checkpoint step that invocation resumed from (0: trained from scratch in one go). */
  readonly resumedFromStep: number;
  /** The cell's EMA tokenizer checkpoint, relative to the grid folder. */
  readonly checkpoint: string;
  readonly finishedAt: string;
}

/** How the cells report, run their graphs and guard their folders. */
export interface CellHost {
  readonly log: Logger;
  readonly signal?: AbortSignal;
  readonly remote?: RemoteShardOptions;
  /** Runs a graph (default `graph.run`); must reject when the run failed and report Ctrl-C as `cancelled`. */
  readonly runGraph?: (name: string, graph: Graph) => Promise<RunSummary>;
  /** Takes an exclusive lock on a cell folder while it trains (e.g. `acquireLock` of @vqrae/tokens); optional. */
  readonly lockCell?: (dir: string, cell: AblationCell) => { release(): void };
}

/** What happened to a cell in this invocation. */
export type CellOutcome =
  | { readonly status: 'skipped' | 'finished'; readonly result: CellResult }
  /** Ctrl-C: the cell stays resumable from its last checkpoint. */
  | { readonly status: 'cancelled' };

/** The finished record of a cell folder, or null when the cell has not finished. Throws naming a corrupt file. */
export async function readCellResult(dir: string): Promise<CellResult | null> {
  const file = path.join(dir, CELL_RESULT_FILE);
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const parsed = JSON.parse(text) as Partial<CellResult>;
  if (parsed.format !== CELL_RESULT_FORMAT || !parsed.cell || !parsed.metrics) throw new Error(`ablate: ${file} is not a cell result (format ${JSON.stringify(parsed.format)})`);
  return parsed as CellResult;
}

/**
 * The training config of `cell`: the shared `base` with the cell's folder, seed and quantizer factors. With
 * `evalEvery` 0 the training job gets no held-out data (no evaluations at its start and end: the cell's final
 * evaluation is `evaluateCell`'s); otherwise it evaluates periodically as `vqrae train` does.
 */
export function cellTrainConfig(base: TrainJobConfig, gridDir: string, cell: AblationCell, resume: boolean): TrainJobConfig {
  return {
    ...base,
    evalData: base.evalEvery > 0 ? base.evalData : null,
    out: cellDir(gridDir, cell),
    resume,
    seed: cell.seed,
    quantizer: { kind: cell.quantizer, codebookSize: cell.codebookSize, codebookDim: cell.codebookDim },
  };
}

async function runGraphWith(host: CellHost, name: string, graph: Graph): Promise<RunSummary> {
  if (host.runGraph) return host.runGraph(name, graph);
  return graph.run({ log: host.log, ...(host.signal ? { signal: host.signal } : {}) });
}

/**
 * Runs `cell` to its result: skipped when `cell-result.json` exists; otherwise trains (fresh, or `--resume` from the
 * cell's latest checkpoint), evaluates the EMA checkpoint on `base.evalData` and writes the result atomically.
 */
export async function runCell(cell: AblationCell, base: TrainJobConfig, gridDir: string, host: CellHost): Promise<CellOutcome> {
  const dir = cellDir(gridDir, cell);
  const done = await readCellResult(dir);
  if (done) return { status: 'skipped', result: done };
  if (base.evalData === null) throw new Error(`ablate: cell ${cell.name} needs held-out data (--eval-data) to be evaluated`);
  await fs.mkdir(dir, { recursive: true });
  const lock = host.lockCell?.(dir, cell);
  try {
    const started = performance.now();
    const resume = (await resolveCheckpointDir(path.join(dir, 'checkpoints'))) !== null;
    const config = cellTrainConfig(base, gridDir, cell, resume);
    const job = await openTrainJob(config, { log: host.log, ...(host.signal ? { signal: host.signal } : {}), ...(host.remote ? { remote: host.remote } : {}) });
    const resumedFromStep = job.trainer.step;
    // The resume has dropped the steps it trains again from the log: what is left is the earlier invocations' work.
    const earlierSeconds = resume ? await loggedWallSeconds(path.join(dir, 'log')) : 0;
    if (resume) host.log.info(`ablate: ${cell.name}: resuming from its checkpoint at step ${resumedFromStep}`);
    let emaModelFile: string;
    try {
      const summary = await runGraphWith(host, `train ${cell.name}`, job.graph);
      if (summary.cancelled) return { status: 'cancelled' };
      const trained = await job.finish(summary);
      if (trained.stepsDone < config.steps) throw new Error(`ablate: cell ${cell.name} stopped at step ${trained.stepsDone} of ${config.steps}`);
      emaModelFile = trained.emaModelFile;
    } finally {
      job.dispose();
    }
    const metrics = await evaluateCell(emaModelFile, dir, {
      evalData: base.evalData,
      evalImages: base.evalImages,
      batch: base.batch,
      log: host.log,
      ...(host.remote ? { remote: host.remote } : {}),
      ...(host.signal ? { signal: host.signal } : {}),
      ...(host.runGraph ? { runGraph: host.runGraph } : {}),
    });
    if (metrics === null) return { status: 'cancelled' };
    const result: CellResult = {
      format: CELL_RESULT_FORMAT,
      cell,
      steps: config.steps,
      metrics,
      wallSeconds: earlierSeconds + (performance.now() - started) / 1000,
      resumedFromStep,
      checkpoint: path.relative(gridDir, emaModelFile),
      finishedAt: new Date().toISOString(),
    };
    await writeFileAtomic(path.join(dir, CELL_RESULT_FILE), `${JSON.stringify(result, null, 2)}\n`);
    return { status: 'finished', result };
  } finally {
    lock?.release();
  }
}
