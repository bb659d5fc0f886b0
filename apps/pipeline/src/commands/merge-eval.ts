import fs from 'node:fs';
import path from 'node:path';
import {
  checkRanks,
  computeEvalSummary,
  decodeModeTitleSuffix,
  evalSummaryJson,
  formatEvalSummary,
  makeProvenance,
  mergeMetricsFiles,
  mergeRankStates,
  readRankFolders,
  writeEvalOutputs,
  writeEvalPartial,
  type PreviewIndex,
  type PreviewSource,
} from '@vqrae/eval';
import { performance } from 'node:perf_hooks';
import { argument, defineCommand, intOption, pathOption, requireOptions, withRunFolderUsage } from '../cli/index.js';
import { checkRunFolderTarget, createRunFolder, writeRunSummary } from '@vqrae/graph';

/** Merges the rank folders of one `vqrae eval` job into `out`; returns the exit code. */
export async function mergeEval(
  dirs: readonly string[],
  out: string,
  maxPreviews: number,
  write: (line: string) => void,
  writeError: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  const started = performance.now();
  withRunFolderUsage(() => checkRunFolderTarget(path.resolve(out), 'merge-eval')); // never into a rank's own eval folder (its records would be replaced)
  const ranks = (await readRankFolders(dirs, out)).sort((a, b) => a.partial.rank - b.partial.rank);
  const problems = checkRanks(ranks);
  if (problems.length > 0) {
    for (const p of problems) writeError(`problem: ${p}`);
    writeError(`merge-eval: ${problems.length} problem(s); nothing written`);
    return 1;
  }
  const folder = createRunFolder({ command: 'merge-eval', out });
  const identity = ranks[0]!.partial.identity;
  const provenance = makeProvenance({
    tool: 'vqrae merge-eval',
    command: process.argv.slice(2),
    config: { ...identity, ranks: ranks.map((r) => ({ dir: path.resolve(r.dir), rank: r.partial.rank, images: r.partial.nImages })) },
    checkpointSha256: identity.checkpointSha256,
    extra: { rank: `merged ${ranks.length} rank(s)` },
  });
  const state = await mergeRankStates(ranks);
  const { result, columns } = await mergeMetricsFiles(ranks, path.join(out, 'metrics.arrow'), provenance);
  const summary = await computeEvalSummary({
    nImages: result.rows,
    columns,
    metrics: result.summary,
    state,
    space: identity.featureSpace,
    reference: identity.referenceStats ? { kind: 'file', path: identity.referenceStats } : { kind: 'moments' },
  });
  const previews: PreviewSource[] = ranks
    .filter((r) => r.partial.files.previews !== null)
    .map((r) => ({ dir: r.dir, index: JSON.parse(fs.readFileSync(path.join(r.dir, r.partial.files.previews!), 'utf8')) as PreviewIndex }));
  const title = `vqrae eval: ${identity.preset} on ${identity.data} (${ranks.length} rank${ranks.length === 1 ? '' : 's'} merged)${decodeModeTitleSuffix(identity.decodeMode ?? 'exact')}`;
  await writeEvalOutputs(out, { title, summary, state, identity, provenance, previews, maxPreviews });
  const shards = ranks.flatMap((r) => r.partial.shards);
  await writeEvalPartial(out, { rank: 0, worldSize: 1, shards, identity, nImages: result.rows, previews: false }, state);
  writeRunSummary(folder, { command: 'merge-eval', exitCode: 0, wallMs: performance.now() - started, extra: { ranks: ranks.map((r) => r.dir), ...evalSummaryJson(summary) } });
  write(formatEvalSummary(summary, `${title} (${result.rows} images)`));
  write(`merge-eval: metrics.arrow, summary.arrow, summary.json, report.html in ${out}`);
  return 0;
}

/** `vqrae merge-eval <dir…> --out <dir>`: one summary from the per-rank folders of `vqrae eval --rank/--world-size`. */
export const mergeEvalCommand = defineCommand({
  name: 'merge-eval',
  description: 'merge per-rank `vqrae eval` folders (Fréchet moments, code counts, metric rows) into one summary',
  runFolder: false,
  arguments: { dirs: argument({ description: 'rank folders (each holds eval-partial.json), or one parent folder of them', variadic: true }) },
  options: {
    out: pathOption({ description: 'folder for the merged metrics.arrow, summary, statistics and report', placeholder: '<dir>' }),
    previews: intOption({ description: 'preview pairs in the report', default: 16, min: 0 }),
  },
  examples: ['vqrae merge-eval runs/eval/rank-0 runs/eval/rank-1 --out runs/eval/merged', 'vqrae merge-eval runs/eval --out runs/eval-merged'],
  async run({ command, options: o, print, writers }) {
    const { out } = requireOptions(command, o, 'out');
    return mergeEval(o.dirs, out, o.previews, print, (line) => writers.writeErr(`${line}\n`));
  },
});
