import { DumpCancelledError, DumpRefusedError, describedDumpGraph, mergeManifests, prepareEncodeDump, type DumpRow, type EncodeDumpJob, type EncodeDumpSummary, type ImageProtocol } from '@vqrae/tokens';
import type { ErrorPolicy, Graph, GraphRunOutcome, Logger, RunFolder } from '@vqrae/graph';
import { CancelledError, dumpOptions, rankFromOptions, requireOptions, UsageError, type ResolvedOptions } from '../cli/index.js';
import { decodeModeOf } from '../commands/decode-mode-option.js';
import { remoteShardOptions } from '../cli/remote-shard-options.js';

/** Manifest problems printed after a single-rank dump (the rest are counted). */
const MAX_PROBLEM_LINES = 20;

/** What a dump command needs of its context (a CommandContext, or the demo's). */
export interface DumpCommandContext {
  readonly runFolder: RunFolder;
  readonly log: Logger;
  readonly options: { readonly dryRun: boolean };
  runGraph(name: string, graph: Graph): Promise<GraphRunOutcome>;
}

/** The shared dump options as resolved, with `--out`. */
export type DumpOptionValues = ResolvedOptions<ReturnType<typeof dumpOptions>> & { readonly out?: string | undefined };

/**
 * The job fields both dump commands fill alike from the shared option group (input, rank, batching, parts, error
 * policy); `--data` and `--out` are required. Checked before any checkpoint is loaded.
 */
export function sharedDumpJob(command: string, o: DumpOptionValues, ctx: Pick<DumpCommandContext, 'log' | 'runFolder'>) {
  const { data } = requireOptions(command, o, 'data');
  if (o.out === undefined) throw new UsageError(`${command}: --out <dir> is required (the dump folder; rerun with the same --out to resume)`);
  return {
    data,
    remote: remoteShardOptions(o, ctx.log),
    outDir: ctx.runFolder.dir,
    rank: rankFromOptions(o),
    batchSize: o.batch,
    rowsPerFile: o.rowsPerFile,
    onError: o.onError as ErrorPolicy,
    log: ctx.log,
  } satisfies Partial<EncodeDumpJob<DumpRow, unknown>>;
}

/** The image protocol of `--crop` / `--decode-mode` at the model's input size. */
export function imageProtocolOf(o: Pick<DumpOptionValues, 'crop' | 'decodeMode'>, size: number): ImageProtocol {
  return { crop: o.crop as ImageProtocol['crop'], decodeMode: decodeModeOf(o.decodeMode), size };
}

/** The library's dump errors as the app's: a refused dump is a usage error (exit 2), a cancelled one exits 130. */
function appError(error: unknown): never {
  if (error instanceof DumpRefusedError) throw new UsageError(error.message);
  if (error instanceof DumpCancelledError) throw new CancelledError(error.message);
  throw error;
}

/**
 * One rank's dump through `ctx.runGraph` (graph.txt, Ctrl-C, progress, summary table): opened (a refused folder is a
 * usage error), run as one graph, closed. A failed graph is rethrown (exit 1); a cancelled one exits 130.
 */
export async function runDumpGraph<Row extends DumpRow, Encoded>(name: string, job: EncodeDumpJob<Row, Encoded>, ctx: Pick<DumpCommandContext, 'runGraph'>): Promise<EncodeDumpSummary> {
  const dump = await prepareEncodeDump(job).catch(appError);
  let outcome: GraphRunOutcome;
  try {
    outcome = await ctx.runGraph(name, dump.graph);
  } catch (error) {
    await dump.abandon();
    throw error;
  }
  if (outcome.error) {
    await dump.abandon();
    throw outcome.error;
  }
  return dump.finish(outcome.summary).catch(appError);
}

/**
 * What dump-tokens and dump-features share after building their job: `--dry-run` prints the dump's graph and stops
 * before anything is opened; otherwise the dump runs (see {@link runDumpGraph}) and, single rank, the dataset
 * manifest is written.
 */
export async function runDumpCommand<Row extends DumpRow, Encoded>(name: string, job: EncodeDumpJob<Row, Encoded>, ctx: DumpCommandContext): Promise<EncodeDumpSummary> {
  if (ctx.options.dryRun) await ctx.runGraph(name, describedDumpGraph(job)); // prints the graph and stops the command
  const summary = await runDumpGraph(name, job, ctx);
  if (job.rank.worldSize === 1) {
    const merged = await mergeManifests(ctx.runFolder.dir, { verify: false });
    for (const problem of merged.problems.slice(0, MAX_PROBLEM_LINES)) ctx.log.warn(`manifest: ${problem}`);
    const more = merged.problems.length - MAX_PROBLEM_LINES;
    if (more > 0) ctx.log.warn(`manifest: … and ${more} more problem(s) (vqrae merge-manifests ${ctx.runFolder.dir} lists them all)`);
  }
  return summary;
}
