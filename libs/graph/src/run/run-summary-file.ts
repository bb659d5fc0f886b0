import type { RunSummary } from '../types.js';
import { graphSummaries, type RunFolder } from './run-folder.js';
import { RECORD_FILES } from './run-records.js';
import { EXIT } from './run-graph.js';

/** The status a run's exit code stands for in summary.json: 0 → ok, 130 → cancelled, anything else → failed. */
export type RunStatus = RunSummary['status'];

/** What the final summary.json of a run says (see {@link writeRunSummary}). */
export interface RunSummaryRecord {
  /** The command (or named graph run) that owns the folder. */
  readonly command: string;
  /** 0 ok, 1 failed, 130 cancelled; the status is derived from it. */
  readonly exitCode: number;
  /** Wall-clock time of the whole run. */
  readonly wallMs: number;
  /** The failure that ended the run, if any: its message is recorded as `error`. */
  readonly error?: unknown;
  /** The caller's own fields (backend, a command's counters, `cancelled`, `dryRun`…), written last. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** `ok` for exit code 0, `cancelled` for 130, `failed` otherwise. */
export function runStatus(exitCode: number): RunStatus {
  return exitCode === EXIT.ok ? 'ok' : exitCode === EXIT.interrupted ? 'cancelled' : 'failed';
}

/**
 * Writes a run's final `summary.json` (atomically), the one format of every run folder, whoever ran it (a `vqrae`
 * command or `runGraphInFolder`): `{ command, status, exitCode, wallMs, error?, graphs: [{ name, description,
 * ...counters }], ...extra }`. Returns the file's path.
 */
export function writeRunSummary(folder: RunFolder, record: RunSummaryRecord): string {
  const { error } = record;
  return folder.writeJson(RECORD_FILES.summary, {
    command: record.command,
    status: runStatus(record.exitCode),
    exitCode: record.exitCode,
    wallMs: record.wallMs,
    ...(error !== undefined ? { error: error instanceof Error ? error.message : String(error) } : {}),
    graphs: graphSummaries(folder),
    ...record.extra,
  });
}

/**
 * Writes `summary.json` as `{ status: 'partial', graphs }` after each graph of a run that has not ended yet, so that a
 * process killed later still leaves its counters behind; {@link writeRunSummary} replaces it at the end of the run.
 */
export function writePartialRunSummary(folder: RunFolder): string {
  return folder.writeJson(RECORD_FILES.summary, { status: 'partial', graphs: graphSummaries(folder) });
}
