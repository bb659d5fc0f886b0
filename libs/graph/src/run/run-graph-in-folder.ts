import { performance } from 'node:perf_hooks';
import type { Graph } from '../graph.js';
import type { ProgressReporter } from '../progress.js';
import { consoleLogger } from '../stage-context.js';
import type { Logger, RunSummary, StageError } from '../types.js';
import { createRunFolder } from './run-folder.js';
import { archivePreviousRecords, snapshotRecords } from './run-records.js';
import { EXIT, runGraph } from './run-graph.js';
import { runStatus, writeRunSummary } from './run-summary-file.js';

/** Where and under which name {@link runGraphInFolder} runs a graph, and what it records. */
export interface RunInFolderOptions {
  /** Name of the run: owner of the folder (`command` in config.json/summary.json), graph name, progress label. */
  readonly name: string;
  /** The run folder; may exist (a rerun archives the previous records in history.jsonl). Default: `<runsRoot>/<name>-<YYYYMMDD-HHMMSS>`. */
  readonly dir?: string;
  /** Parent of the default folder (default: `runs` in the current directory). */
  readonly runsRoot?: string;
  /** Your settings, saved as `config` in config.json (typed arrays and tensors are summarised, see toJsonSafe). */
  readonly config?: unknown;
  /** Default: console (info on stdout, warnings and errors on stderr). */
  readonly log?: Logger;
  /** No progress bar or lines (the summary table is still logged through `log`). */
  readonly quiet?: boolean;
  /** Extra cancellation besides Ctrl-C. */
  readonly signal?: AbortSignal;
  readonly progress?: ProgressReporter;
}

/** What {@link runGraphInFolder} returns (summary.json holds the same status, exit code and counters). */
export interface FolderRunResult {
  /** Absolute path of the run folder. */
  readonly dir: string;
  /** 'ok', 'cancelled' (Ctrl-C or `signal`: the source stopped, items in flight were drained) or 'failed'. */
  readonly status: RunSummary['status'];
  /** 0 ok, 1 failed, 130 cancelled: what a `vqrae` command would exit with. */
  readonly exitCode: number;
  readonly summary: RunSummary;
  /** The failure under onError 'throw' (also printed and recorded as `error` in summary.json). */
  readonly error?: StageError;
}

/**
 * Runs one graph the way a `vqrae` command does: creates (or reuses) a run folder owned by `name`, writes
 * `config.json` (name, your config, versions, start time), `graph.txt`, progress, Ctrl-C → cancellation (a second
 * Ctrl-C exits with 130), the per-stage summary table, and `summary.json` with the final status. A stage failure
 * under onError 'throw' does not throw: it comes back with status 'failed'. A folder that is a file or belongs to
 * another command is refused with a RunFolderError before anything is written.
 *
 * @example
 *   const run = await runGraphInFolder({ name: 'my-dump', dir: 'runs/my-dump', config: { shards } }, graph);
 *   if (run.status !== 'ok') process.exitCode = run.exitCode;
 */
export async function runGraphInFolder(options: RunInFolderOptions, graph: Graph): Promise<FolderRunResult> {
  const started = performance.now();
  const { name, log = consoleLogger } = options;
  const folder = createRunFolder({ command: name, out: options.dir, runsRoot: options.runsRoot });
  archivePreviousRecords(snapshotRecords(folder.dir, folder.createdDir));
  folder.writeJson('config.json', { command: name, config: options.config ?? null, versions: { node: process.versions.node }, startedAt: new Date().toISOString() });
  const record = (exitCode: number, error?: unknown): void => {
    writeRunSummary(folder, { command: name, exitCode, wallMs: performance.now() - started, error });
  };
  let outcome;
  try {
    outcome = await runGraph(graph, { name, log, quiet: options.quiet, runFolder: folder, signal: options.signal, progress: options.progress });
  } catch (error) {
    record(EXIT.failed, error);
    throw error;
  }
  const { summary, exitCode, error } = outcome;
  const status = runStatus(exitCode);
  record(exitCode, error);
  log.info(`run folder: ${folder.dir}`);
  return { dir: folder.dir, status, exitCode, summary, ...(error ? { error } : {}) };
}
