import type { RunFolder } from '../cli/index.js';
import { withInterrupt } from '../cli/index.js';
import type { Logger } from '@vqrae/graph';
import { describeEncodeDump, runEncodeDump, type DumpRow, type EncodeDumpJob } from './encode-dump.js';
import { mergeManifests } from '@vqrae/tokens';

/** Manifest problems printed after a single-rank dump (the rest are counted). */
const MAX_PROBLEM_LINES = 20;

/**
 * What dump-tokens and dump-features share after building their job: record the graph, stop under --dry-run, run
 * with SIGINT cancellation, and (single rank) write the dataset manifest. Returns undefined under --dry-run.
 */
export async function runDumpCommand<Row extends DumpRow, Encoded>(
  name: string,
  job: EncodeDumpJob<Row, Encoded>,
  ctx: { readonly runFolder: RunFolder; readonly log: Logger; print(line: string): void; readonly options: { readonly dryRun: boolean } },
): Promise<Awaited<ReturnType<typeof runEncodeDump<Row, Encoded>>> | undefined> {
  const description = describeEncodeDump(job);
  ctx.runFolder.addGraph(name, description);
  if (ctx.options.dryRun) {
    ctx.print(description);
    return undefined;
  }
  const summary = await withInterrupt(ctx.log, (signal) => runEncodeDump({ ...job, signal }));
  if (job.rank.worldSize === 1) {
    const merged = await mergeManifests(ctx.runFolder.dir, { verify: false });
    for (const problem of merged.problems.slice(0, MAX_PROBLEM_LINES)) ctx.log.warn(`manifest: ${problem}`);
    const more = merged.problems.length - MAX_PROBLEM_LINES;
    if (more > 0) ctx.log.warn(`manifest: … and ${more} more problem(s) (vqrae merge-manifests ${ctx.runFolder.dir} lists them all)`);
  }
  return summary;
}
