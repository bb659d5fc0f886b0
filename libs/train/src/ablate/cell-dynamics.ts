/**
 * Training dynamics of an ablation: each cell's held-out evaluations during training (`<cell>/eval.jsonl`, EMA
 * weights, every `--eval-every` steps and at step 0) grouped like the table — quantizer × dim × size — with the mean
 * and min–max over seeds at each step. This is where a codebook collapse shows: utilisation falling below its
 * initial value while PSNR still rises.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseEvalLog } from '../eval-log.js';
import { finite } from './ablation-table.js';
import { cellDir } from './cell-run.js';
import type { AblationCell, QuantizerKind } from './grid.js';
import { groupSeeds, spread, type Spread } from './summary.js';

/** One held-out evaluation of a cell during training. */
export interface DynamicsPoint {
  readonly step: number;
  readonly psnr: number;
  /** Fraction of the codebook used on the held-out images. */
  readonly utilisation: number;
}

/** A cell's evaluations, by step. */
export interface CellDynamics {
  readonly cell: AblationCell;
  readonly points: readonly DynamicsPoint[];
}

/** One quantizer × dim × size series: at each step every seed evaluated, the spread over them. */
export interface DynamicsSeries {
  readonly quantizer: QuantizerKind;
  readonly codebookDim: number;
  readonly codebookSize: number;
  readonly seeds: readonly number[];
  readonly steps: readonly { readonly step: number; readonly psnr: Spread; readonly utilisation: Spread }[];
}

/**
 * `<grid>/cells/<cell>/eval.jsonl` as points sorted by step (null when the cell has no evaluations: `--eval-every 0`).
 * A step evaluated twice (a resumed run evaluating again what a killed one had) keeps its last row; a torn last line
 * is left out.
 */
export async function readCellDynamics(gridDir: string, cell: AblationCell): Promise<CellDynamics | null> {
  const file = path.join(cellDir(gridDir, cell), 'eval.jsonl');
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const byStep = new Map<number, DynamicsPoint>();
  for (const { result } of parseEvalLog(text, file).entries) {
    // JSON wrote a NaN (e.g. a diverged run's PSNR) as null: read it back as NaN, which the charts leave out.
    byStep.set(result.step, { step: result.step, psnr: finite(result.psnr), utilisation: finite(result.utilisation) });
  }
  if (byStep.size === 0) return null;
  return { cell, points: [...byStep.values()].sort((a, b) => a.step - b.step) };
}

/** Groups cells into series (first-seen order); a step enters a series only when every seed evaluated it. */
export function dynamicsSeries(cells: readonly CellDynamics[]): DynamicsSeries[] {
  return groupSeeds(cells).map((group) => {
    const first = group[0]!.cell;
    const common = group.map((c) => new Map(c.points.map((p) => [p.step, p])));
    const steps = [...common[0]!.keys()].filter((step) => common.every((m) => m.has(step)));
    return {
      quantizer: first.quantizer,
      codebookDim: first.codebookDim,
      codebookSize: first.codebookSize,
      seeds: group.map((c) => c.cell.seed),
      steps: steps.map((step) => {
        const at = common.map((m) => m.get(step)!);
        return { step, psnr: spread(at.map((p) => p.psnr)), utilisation: spread(at.map((p) => 100 * p.utilisation)) };
      }),
    };
  });
}
