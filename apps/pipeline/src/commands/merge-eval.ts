import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
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
import { parseIntFlag, withRunFolderUsage, type CommandModule } from '../cli/index.js';
import { checkRunFolderTarget, writeFileAtomic } from '@vqrae/graph';

/** Merges the rank folders of one `vqrae eval` job into `out`; returns the exit code. */
export async function mergeEval(
  dirs: readonly string[],
  out: string,
  maxPreviews: number,
  write: (line: string) => void,
  writeError: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
  withRunFolderUsage(() => checkRunFolderTarget(path.resolve(out), 'merge-eval')); // never into a rank's own eval folder (its records would be replaced)
  const ranks = (await readRankFolders(dirs, out)).sort((a, b) => a.partial.rank - b.partial.rank);
  const problems = checkRanks(ranks);
  if (problems.length > 0) {
    for (const p of problems) writeError(`problem: ${p}`);
    writeError(`merge-eval: ${problems.length} problem(s); nothing written`);
    return 1;
  }
  fs.mkdirSync(out, { recursive: true });
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
  await writeFileAtomic(path.join(out, 'summary.json'), `${JSON.stringify({ command: 'merge-eval', status: 'ok', ranks: ranks.map((r) => r.dir), ...evalSummaryJson(summary) }, null, 2)}\n`);
  write(formatEvalSummary(summary, `${title} (${result.rows} images)`));
  write(`merge-eval: metrics.arrow, summary.arrow, summary.json, report.html in ${out}`);
  return 0;
}

/** `vqrae merge-eval <dir…> --out <dir>`: one summary from the per-rank folders of `vqrae eval --rank/--world-size`. */
export const mergeEvalCommand: CommandModule = {
  name: 'merge-eval',
  register(program: Command): void {
    program
      .command('merge-eval')
      .description('merge per-rank `vqrae eval` folders (Fréchet moments, code counts, metric rows) into one summary')
      .argument('<dirs...>', 'rank folders (each holds eval-partial.json), or one parent folder of them')
      .requiredOption('--out <dir>', 'folder for the merged metrics.arrow, summary, statistics and report')
      .option('--previews <n>', 'preview pairs in the report', '16')
      .addHelpText('after', '\nExamples:\n  $ vqrae merge-eval runs/eval/rank-0 runs/eval/rank-1 --out runs/eval/merged\n  $ vqrae merge-eval runs/eval --out runs/eval-merged')
      .action(async (dirs: string[], flags: { out: string; previews: string }) => {
        const previews = parseIntFlag(flags.previews, 'merge-eval: --previews', 0);
        process.exitCode = await mergeEval(dirs, flags.out, previews, (line) => process.stdout.write(`${line}\n`));
      });
  },
};
