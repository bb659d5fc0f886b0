import fs from 'node:fs/promises';
import path from 'node:path';
import { EVAL_PARTIAL_FILE } from './eval-partial.js';

/** Every output `vqrae eval` (and merge-eval) writes into its folder besides the run records. */
export const EVAL_OUTPUT_NAMES: readonly string[] = [
  'metrics.arrow',
  'summary.arrow',
  'codebook-usage.npz',
  'reconstruction-moments.npz',
  'reference-moments.npz',
  'reconstruction-stats.npz',
  'reference-stats.npz',
  'report.html',
  'previews',
  EVAL_PARTIAL_FILE,
];

/**
 * Before an eval rerun writes into its folder (a folder of another command is refused earlier): removes the outputs
 * of the earlier eval, so statistics, moments or previews that this run does not produce are not left beside its
 * results (e.g. `reconstruction-stats.npz` of an earlier `--fd-network encoder` run). Only eval's own file names are
 * touched. Returns the names removed.
 */
export async function removeEarlierEvalOutputs(dir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of EVAL_OUTPUT_NAMES) {
    const file = path.join(dir, name);
    if ((await fs.stat(file).catch(() => null)) === null) continue;
    await fs.rm(file, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
