/**
 * Rank / world-size resolution for scale-out jobs. Precedence: explicit flags, then `RANK`/`WORLD_SIZE`
 * (torchrun-style), then `SLURM_PROCID`/`SLURM_NTASKS` (or a SLURM array: `SLURM_ARRAY_TASK_ID` with
 * `SLURM_ARRAY_TASK_COUNT`), then `JOB_COMPLETION_INDEX` (Kubernetes indexed Jobs) with `--world-size` or
 * `JOB_COMPLETIONS`. Only the app reads the environment; libraries receive `{ rank, worldSize }`.
 */
export interface RankAssignment {
  readonly rank: number;
  readonly worldSize: number;
  /** Where the values came from, printed at start-up so a misconfigured array job is obvious. */
  readonly source: string;
}

function parseIndex(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new Error(`rank: ${name}=${JSON.stringify(value)} is not a non-negative integer`);
  return n;
}

/** Resolves this process's rank from explicit flags first, then the scheduler's environment (`env`, e.g. `process.env`). */
export function resolveRank(
  flags: { rank?: number; worldSize?: number },
  env: Readonly<Record<string, string | undefined>>,
): RankAssignment {
  const candidates: Array<{ rank?: number; worldSize?: number; source: string }> = [
    { rank: flags.rank, worldSize: flags.worldSize, source: '--rank/--world-size' },
    { rank: parseIndex(env.RANK, 'RANK'), worldSize: parseIndex(env.WORLD_SIZE, 'WORLD_SIZE'), source: 'RANK/WORLD_SIZE' },
    { rank: parseIndex(env.SLURM_PROCID, 'SLURM_PROCID'), worldSize: parseIndex(env.SLURM_NTASKS, 'SLURM_NTASKS'), source: 'SLURM_PROCID/SLURM_NTASKS' },
    {
      rank: parseIndex(env.SLURM_ARRAY_TASK_ID, 'SLURM_ARRAY_TASK_ID'),
      worldSize: parseIndex(env.SLURM_ARRAY_TASK_COUNT, 'SLURM_ARRAY_TASK_COUNT'),
      source: 'SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT',
    },
    {
      rank: parseIndex(env.JOB_COMPLETION_INDEX, 'JOB_COMPLETION_INDEX'),
      worldSize: flags.worldSize ?? parseIndex(env.JOB_COMPLETIONS, 'JOB_COMPLETIONS'),
      source: 'JOB_COMPLETION_INDEX',
    },
  ];
  for (const c of candidates) {
    if (c.rank === undefined) continue;
    const worldSize = c.worldSize ?? flags.worldSize;
    if (worldSize === undefined) throw new Error(`rank: ${c.source} gives rank ${c.rank} but no world size; pass --world-size`);
    if (worldSize < 1) throw new Error(`rank: world size must be ≥ 1, got ${worldSize}`);
    if (c.rank >= worldSize) throw new Error(`rank: rank ${c.rank} is not below world size ${worldSize} (from ${c.source})`);
    return { rank: c.rank, worldSize, source: c.source };
  }
  if (flags.worldSize !== undefined && flags.worldSize !== 1) {
    throw new Error(`rank: --world-size ${flags.worldSize} given without a rank (--rank, RANK, SLURM_PROCID or JOB_COMPLETION_INDEX)`);
  }
  return { rank: 0, worldSize: 1, source: 'default (single process)' };
}

/** Whole shards per rank, round-robin over the sorted input order: shard i belongs to rank i mod worldSize. */
export function shardsForRank<T>(shards: readonly T[], assignment: RankAssignment): T[] {
  return shards.filter((_, i) => i % assignment.worldSize === assignment.rank);
}

