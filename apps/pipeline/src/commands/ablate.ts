import path from 'node:path';
import { acquireLock, ownerIsAlive, readLock } from '@vqrae/tokens';
import {
  cellDir,
  cellsForRank,
  freshTrainConfig,
  GridError,
  GridIncompleteError,
  gridStatus,
  mergeAblation,
  parseGrid,
  presetEncoderWidth,
  QuantizerOverrideError,
  readGridRecord,
  gridCells,
  runAblation,
  statusText,
  summaryOrThrow,
  type AblationGrid,
  type CellHost,
} from '@vqrae/train';
import { presetConfig } from '@vqrae/tokenizer';
import { booleanOption, defineCommand, intOption, rankFromOptions, stringOption, UsageError, type CommandContext } from '../cli/index.js';
import { remoteShardOptions } from '../cli/remote-shard-options.js';
import { givenOptions, TRAIN_OPTIONS, trainSettingsOf, trainUsage } from './train.js';

// Every cell takes `vqrae train`'s options except those that pick another kind of run or stop it early.
const { stage: _stage, from: _from, init: _init, resume: _resume, stopAfter: _stopAfter, maxMinutes: _maxMinutes, ...CELL_OPTIONS } = TRAIN_OPTIONS;

const ABLATE_OPTIONS = {
  ...CELL_OPTIONS,
  dims: stringOption({ description: 'codebook dims as fractions of the encoder width, rounded (e.g. 0.25,0.5,1)', placeholder: '<list>' }),
  dimsAbs: stringOption({ description: 'codebook dims as absolute values (e.g. 144,576); default the preset’s', placeholder: '<list>' }),
  sizes: stringOption({ description: 'codebook sizes k (e.g. 256,1024); default the preset’s', placeholder: '<list>' }),
  quantizer: stringOption({ description: "quantizers compared: simvq, vq (plain learnable codebook) or both 'simvq,vq'", placeholder: '<list>', default: 'simvq' }),
  seeds: stringOption({ description: 'training seeds per cell (e.g. 0,1); default --seed', placeholder: '<list>' }),
  rank: intOption({ description: 'this process’s rank: it trains cells i with i mod world = rank (default: RANK, SLURM_PROCID, JOB_COMPLETION_INDEX)', min: 0 }),
  worldSize: intOption({ description: 'number of ranks (default: WORLD_SIZE, SLURM_NTASKS, JOB_COMPLETIONS)', min: 1 }),
  merge: booleanOption({ description: 'only check every cell of --out finished and write ablation.arrow, summary.md, ablation.svg/.png, ablation-dynamics.svg/.png, report.html', default: false }),
  status: booleanOption({ description: 'only show where the grid in --out stands: finished / training / stopped / waiting cells, steps, time left', default: false }),
  partial: booleanOption({ description: 'with --merge: merge the cells finished so far into <out>/partial/ (labelled partial; the grid may still be training)', default: false }),
} as const;

/** The library's refusals (bad grid flags, another grid in --out, unfinished cells) are usage errors here. */
function asUsage(error: unknown): unknown {
  return error instanceof GridError || error instanceof GridIncompleteError || error instanceof QuantizerOverrideError ? new UsageError(error.message) : error;
}

type AblateContext = CommandContext<typeof ABLATE_OPTIONS>;

const CELL_LOCK = 'cell.lock';

/** Who holds a cell folder's lock, and whether that process still lives (for `--status`). */
function cellLockHolder(cellFolder: string): { alive: boolean; description: string } | undefined {
  const lock = readLock(path.join(cellFolder, CELL_LOCK));
  if (!lock?.owner) return undefined;
  return { alive: ownerIsAlive(lock.owner, lock.mtimeMs), description: `pid ${lock.owner.pid} on ${lock.owner.hostname} since ${lock.owner.startedAt}` };
}

async function writeOutputs(ctx: AblateContext, dir: string, partial = false): Promise<Record<string, unknown>> {
  const outputs = await mergeAblation(dir, { command: process.argv.slice(2), partial }).catch((error: unknown) => {
    throw asUsage(error);
  });
  const where = path.dirname(outputs.summary);
  const missing = outputs.missing.length > 0 ? ` (partial: ${outputs.missing.length} cell(s) not finished: ${outputs.missing.join(', ')})` : '';
  const dynamics = outputs.dynamics === null ? '' : ', ablation-dynamics.svg/.png';
  ctx.print(`ablate: ${outputs.results.length} cell(s) merged${missing}: ablation.arrow, summary.md, ablation.svg/.png${dynamics}, report.html in ${where}`);
  if (outputs.dynamics === null) ctx.log.info('ablate: no ablation-dynamics chart (a cell has no eval.jsonl: it trained with --eval-every 0)');
  ctx.print(outputs.summary);
  return { merged: { cells: outputs.results.length, missing: outputs.missing, arrow: outputs.arrow, summary: outputs.summary, report: outputs.report } };
}

/** `vqrae ablate`: a resumable, rank-split grid of stage-1 trainings over codebook dim × size × quantizer × seed. */
export const ablateCommand = defineCommand({
  name: 'ablate',
  description: 'codebook ablation: a grid of stage-1 trainings (dim × size × quantizer × seed), resumable and rank-split, merged into a table and plot',
  options: ABLATE_OPTIONS,
  examples: [
    "vqrae ablate --preset small-cpu --data 'photos-{000..007}.tar' --eval-data photos-val.tar --dims 0.25,0.5,1,1.25 --sizes 256,1024 --quantizer simvq,vq --seeds 0,1 --steps 600 --out runs/ablate",
    'vqrae ablate ... --out runs/ablate            # again: finished cells are skipped, a killed one resumes from its checkpoint',
    'RANK=1 WORLD_SIZE=4 vqrae ablate ... --out runs/ablate   # cells i with i mod 4 = 1; then: vqrae ablate --merge --out runs/ablate',
  ],
  // A status query or a dry listing only reads the grid folder, which ranks may be writing into meanwhile.
  readOnly: (o) => o.status || o.dryRun,
  async run(ctx) {
    const o = ctx.options;
    const dir = ctx.runFolder.dir;
    if (o.status) {
      const { record, cells } = await gridStatus(dir, cellLockHolder).catch((error: unknown) => {
        throw asUsage(error);
      });
      ctx.print(statusText(dir, record, cells).trimEnd());
      const states = Object.fromEntries(['finished', 'training', 'stopped', 'waiting'].map((state) => [state, cells.filter((c) => c.state === state).map((c) => c.cell.name)]));
      return { summary: { status: states } };
    }
    if (o.partial && !o.merge) throw new UsageError('ablate: --partial only goes with --merge (vqrae ablate --merge --partial --out <grid>)');
    if (o.merge) {
      if (o.dryRun) {
        const record = await readGridRecord(dir);
        ctx.print(`ablate --merge: ${record ? `${record.cells.length} cell(s) in ${dir}` : `no grid.json in ${dir}`}`);
        return { summary: { dryRun: true } };
      }
      return { summary: await writeOutputs(ctx, dir, o.partial) };
    }
    let grid: AblationGrid;
    try {
      const preset = presetConfig(o.preset);
      grid = parseGrid(o, { codebookDim: preset.quantizer.codebookDim, codebookSize: preset.quantizer.codebookSize, seed: o.seed });
      gridCells(grid, presetEncoderWidth(o.preset)); // resolves the dims: refuses a fraction rounding below 1 now
    } catch (error) {
      throw asUsage(error);
    }
    // Each cell's options as `vqrae train` resolves them for a fresh stage-1 run (seed and quantizer set per cell).
    const settings = trainSettingsOf({ ...o, stage: 1, resume: false, quantizer: undefined });
    const base = await freshTrainConfig(settings, dir, { given: givenOptions(ctx.sources) }).catch((error: unknown) => {
      throw trainUsage(error);
    });
    if (base.evalData === null) throw new UsageError('ablate: --eval-data <shards> is required (every cell is evaluated on the held-out images)');
    const rank = rankFromOptions(o);
    if (o.dryRun) {
      const cells = cellsForRank(gridCells(grid, presetEncoderWidth(base.preset)), rank.rank, rank.worldSize);
      ctx.print(`ablate: rank ${rank.rank} of ${rank.worldSize} (${rank.source}): ${cells.length} cell(s): ${cells.map((c) => path.relative(dir, cellDir(dir, c))).join(', ')}`);
      return { summary: { dryRun: true, cells: cells.map((c) => c.name) } };
    }
    const host: CellHost = {
      log: ctx.log,
      remote: remoteShardOptions(o, ctx.log),
      runGraph: async (name, graph) => summaryOrThrow(name, await ctx.runGraph(name, graph)),
      // Two processes given the same rank would train one cell twice: the second is refused while the first lives.
      lockCell: (cellFolder, cell) => acquireLock(path.join(cellFolder, CELL_LOCK), { purpose: `ablate cell ${cell.name} in ${dir}` }),
    };
    const report = await runAblation({ dir, grid, base, rank: rank.rank, worldSize: rank.worldSize }, host).catch((error: unknown) => {
      throw asUsage(error);
    });
    const ran = { rank: rank.rank, worldSize: rank.worldSize, assigned: report.assigned, skipped: report.skipped, finished: report.finished.map((r) => r.cell.name) };
    ctx.print(`ablate: rank ${rank.rank} of ${rank.worldSize}: ${report.finished.length} cell(s) trained, ${report.skipped.length} already finished, of ${report.assigned.length}`);
    if (report.cancelled) return { exitCode: 130, summary: { ablate: { ...ran, cancelled: true } } };
    if (rank.worldSize > 1) {
      ctx.print(`ablate: when every rank is done: vqrae ablate --merge --out ${dir}`);
      return { summary: { ablate: ran } };
    }
    return { summary: { ablate: ran, ...(await writeOutputs(ctx, dir)) } };
  },
});
