import type { Graph } from '../graph.js';
import { createProgress, type ProgressReporter } from '../progress.js';
import { StageError, type Logger, type RunSummary } from '../types.js';
import { withInterrupt } from './interrupt.js';
import type { RunFolder } from './run-folder.js';
import { writePartialRunSummary } from './run-summary-file.js';
import { formatSummaryTable } from './summary-table.js';

/** Exit codes of a run: 0 ok, 1 failed (an error under onError 'throw'), 2 usage error, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** How {@link runGraph} reports and records one graph run. */
export interface RunGraphOptions {
  /** Name of this graph in the run folder (graph.txt, summary.json) and in printed lines. */
  readonly name: string;
  readonly log: Logger;
  readonly quiet?: boolean;
  readonly runFolder?: RunFolder;
  /** Extra cancellation (besides SIGINT). */
  readonly signal?: AbortSignal;
  /** Override the progress reporter (default: bar on a TTY, plain lines otherwise, none when quiet). */
  readonly progress?: ProgressReporter;
}

/** What {@link runGraph} returns: the run summary with the exit code it stands for. */
export interface GraphRunOutcome {
  readonly summary: RunSummary;
  /** EXIT.ok, EXIT.failed or EXIT.interrupted. */
  readonly exitCode: number;
  /** The failure under onError 'throw', if any. */
  readonly error?: StageError;
}

/**
 * Runs a graph the way every command should: saves its description to the run folder, wires SIGINT to cancellation,
 * shows progress, prints the per-stage summary table and writes summary.json (all graphs of the run so far). A StageError does not throw: it is printed and returned with exit code 1.
 */
export async function runGraph(graph: Graph, options: RunGraphOptions): Promise<GraphRunOutcome> {
  const { name, log, quiet = false } = options;
  const description = graph.describe();
  const record = options.runFolder?.addGraph(name, description);
  const progress = options.progress ?? createProgress({ mode: quiet ? 'quiet' : 'auto', label: name });
  let outcome: GraphRunOutcome;
  try {
    const summary = await withInterrupt(
      log,
      (signal) => {
        log.info(`${name}: ${description}`); // printed once Ctrl-C is wired to cancellation
        return graph.run({ signal, log, progress });
      },
      options.signal,
    );
    outcome = { summary, exitCode: summary.cancelled ? EXIT.interrupted : EXIT.ok };
  } catch (error) {
    if (!(error instanceof StageError) || !error.summary) throw error;
    log.error(error.message);
    outcome = { summary: error.summary, exitCode: EXIT.failed, error };
  }
  if (record && options.runFolder) {
    record.summary = outcome.summary;
    // Written after every graph; whoever owns the run (a command, runGraphInFolder) writes the final one at its end.
    writePartialRunSummary(options.runFolder);
  }
  log.info(formatSummaryTable(name, outcome.summary));
  if (outcome.summary.skips.length > 0) log.warn(`${name}: ${outcome.summary.skips.length} item(s) skipped (listed in summary.json)`);
  return outcome;
}
