import fs from 'node:fs';
import path from 'node:path';
import { METRIC_COLUMNS_METADATA_KEY, type MetricColumn, type MetricRow } from '../sinks/metric-columns.js';
import { arrowMetricsSink, type MetricsFileResult } from '../sinks/metrics-sink.js';
import type { Provenance } from '../sinks/provenance.js';
import { readArrowTable } from '@vqrae/data';
import { silentLogger, createStageContext } from '@vqrae/graph';
import { EVAL_PARTIAL_FILE, mergeEvalState, readEvalPartial, readEvalState, type EvalPartial, type EvalState } from './eval-partial.js';

/** One rank's folder and its record. */
export interface RankFolder {
  readonly dir: string;
  readonly partial: EvalPartial;
}

/** The folders holding `eval-partial.json`: each argument itself, or (for a parent folder) its direct subfolders. */
export function findPartialFolders(dirs: readonly string[], exclude?: string): string[] {
  const found: string[] = [];
  const skip = exclude === undefined ? undefined : path.resolve(exclude);
  for (const dir of dirs) {
    if (fs.existsSync(path.join(dir, EVAL_PARTIAL_FILE))) {
      found.push(dir);
      continue;
    }
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`merge-eval: '${dir}' is not a folder`);
    const children = fs.readdirSync(dir).map((name) => path.join(dir, name)).filter((p) => path.resolve(p) !== skip && fs.existsSync(path.join(p, EVAL_PARTIAL_FILE))).sort();
    if (children.length === 0) throw new Error(`merge-eval: neither '${dir}' nor its subfolders hold ${EVAL_PARTIAL_FILE}`);
    found.push(...children);
  }
  return found;
}

/** Checks that the ranks form one complete evaluation: same identity, world size, every rank exactly once. */
export function checkRanks(ranks: readonly RankFolder[]): string[] {
  const problems: string[] = [];
  const first = ranks[0];
  if (!first) return ['no rank folders given'];
  const w = first.partial.worldSize;
  // The checkpoint is identified by its sha256 (ranks may reach the same file through different paths).
  const identityOf = (p: EvalPartial): string => JSON.stringify({ ...p.identity, checkpoint: undefined, decodeMode: p.identity.decodeMode ?? 'exact' });
  const identity = identityOf(first.partial);
  for (const { dir, partial } of ranks) {
    if (partial.worldSize !== w) problems.push(`${dir}: world size ${partial.worldSize}, ${first.dir} has ${w}`);
    if (identityOf(partial) !== identity) problems.push(`${dir}: evaluates something else than ${first.dir} (checkpoint, data, protocol, decode mode, SSIM or feature space differ)`);
  }
  for (let r = 0; r < w; r++) {
    const holders = ranks.filter((x) => x.partial.rank === r).map((x) => x.dir);
    if (holders.length === 0) problems.push(`rank ${r} of ${w} is missing`);
    if (holders.length > 1) problems.push(`rank ${r} of ${w} appears ${holders.length} times (${holders.join(', ')})`);
  }
  const seen = new Map<string, string>();
  for (const { dir, partial } of ranks) {
    for (const shard of partial.shards) {
      if (seen.has(shard)) problems.push(`shard ${shard} was evaluated twice (${seen.get(shard)} and ${dir})`);
      seen.set(shard, dir);
    }
  }
  return problems;
}

/** Sums the codes and moments of every rank. */
export async function mergeRankStates(ranks: readonly RankFolder[]): Promise<EvalState> {
  let merged: EvalState | undefined;
  for (const { dir, partial } of ranks) {
    const state = await readEvalState(dir, partial);
    merged = merged ? mergeEvalState(merged, state) : state;
  }
  if (!merged) throw new Error('merge-eval: no ranks');
  return merged;
}

/** Shard → position in the single-process order (shard i belongs to rank i mod w: rank r's j-th is j·w + r). */
function globalShardOrder(ranks: readonly RankFolder[]): Map<string, number> {
  const order = new Map<string, number>();
  for (const { partial } of ranks) partial.shards.forEach((s, j) => order.set(s, j * partial.worldSize + partial.rank));
  return order;
}

/**
 * Concatenates the ranks' `metrics.arrow` rows in single-process order (shard order, then index in shard) into one
 * file at `out`, with the same columns; returns the lib sink's summary (means over all images).
 */
export async function mergeMetricsFiles(ranks: readonly RankFolder[], out: string, provenance: Provenance): Promise<{ result: MetricsFileResult; columns: MetricColumn[] }> {
  const order = globalShardOrder(ranks);
  let columns: MetricColumn[] | undefined;
  let metadata: Record<string, string> = {};
  const rows: MetricRow[] = [];
  for (const { dir, partial } of ranks) {
    const metricsFile = path.join(dir, partial.files.metrics);
    const table = readArrowTable(fs.readFileSync(metricsFile), metricsFile);
    const meta = table.schema.metadata;
    const declared = JSON.parse(meta.get(METRIC_COLUMNS_METADATA_KEY) ?? '[]') as MetricColumn[];
    columns ??= declared;
    if (JSON.stringify(declared) !== JSON.stringify(columns)) throw new Error(`merge-eval: ${dir}/metrics.arrow has other metric columns than the first rank`);
    metadata = Object.fromEntries([...meta].filter(([k]) => k.startsWith('vqrae.') && !['vqrae.provenance', 'vqrae.tool', 'vqrae.created_at', 'vqrae.checkpoint_sha256', METRIC_COLUMNS_METADATA_KEY, 'vqrae.rank'].includes(k)));
    const column = (name: string): NonNullable<ReturnType<typeof table.getChild>> => {
      const found = table.getChild(name);
      if (!found) throw new Error(`merge-eval: '${metricsFile}' has no column '${name}'`);
      return found;
    };
    const key = column('key');
    const shard = column('shard');
    const index = column('index');
    const values = columns.map((c) => column(c.name));
    for (let i = 0; i < table.numRows; i++) {
      const entry: Record<string, number | null> = {};
      columns.forEach((c, j) => (entry[c.name] = values[j]!.get(i) as number | null));
      rows.push({ meta: { key: String(key.get(i)), shard: String(shard.get(i)), index: Number(index.get(i)) }, values: entry });
    }
  }
  rows.sort((a, b) => (order.get(a.meta.shard) ?? 0) - (order.get(b.meta.shard) ?? 0) || a.meta.index - b.meta.index);
  const sink = arrowMetricsSink({ path: out, columns: columns ?? [], provenance, metadata, name: 'metrics' });
  const ctx = createStageContext({ name: 'merge-metrics', signal: new AbortController().signal, log: silentLogger, onSkip: () => undefined });
  await sink.write(rows, ctx);
  return { result: (await sink.finish!(ctx)) as MetricsFileResult, columns: columns ?? [] };
}

/** Reads every rank folder's record (a parent's subfolder equal to `exclude`, the merge output, is left out). */
export async function readRankFolders(dirs: readonly string[], exclude?: string): Promise<RankFolder[]> {
  const folders = findPartialFolders(dirs, exclude);
  return Promise.all(folders.map(async (dir) => ({ dir, partial: await readEvalPartial(dir) })));
}
