import { StageError, type GraphRunOutcome, type RunSummary } from '@vqrae/graph';

/**
 * The summary of a graph run, or its failure thrown: how a host's runner meets the contract of
 * `TrainJobHost.runGraph` and `CellHost.runGraph` (reject when the run failed).
 */
export function summaryOrThrow(name: string, outcome: GraphRunOutcome): RunSummary {
  if (outcome.error) throw outcome.error;
  if (outcome.summary.status === 'failed') throw new StageError(name, undefined, new Error(outcome.summary.failure?.message ?? 'failed'));
  return outcome.summary;
}
