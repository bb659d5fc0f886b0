/**
 * Where a grid stands (read only): per cell finished (its result), training (a live process holds the
 * cell's lock), stopped (started, no live holder: the next run of its rank resumes it) or waiting (not started), with
 * the latest checkpoint and logged step, and the cell time left at the finished cells' mean.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveCheckpointDir, type TrainStateJson } from '../checkpoint-state.js';
import { readStepLog } from '../step-log.js';
import { cellDir, readCellResult, type CellResult } from './cell-run.js';
import { readGridRecord, type GridRecord } from './grid-file.js';
import { GridError, type AblationCell } from './grid.js';

export type CellState = 'finished' | 'training' | 'stopped' | 'waiting';

/** The state of one cell. `holder`: who holds its lock (when the host can tell). */
export interface CellStatus {
  readonly cell: AblationCell;
  readonly state: CellState;
  /** Step of the cell's latest checkpoint (null: none yet). */
  readonly checkpointStep: number | null;
  /** Last step in the cell's step log (null: none logged). */
  readonly loggedStep: number | null;
  readonly result: CellResult | null;
  readonly holder: string | null;
}

/** Tells whether a live process holds a cell folder's lock (e.g. through @vqrae/tokens' `readLock`/`ownerIsAlive`). */
export type LockHolderOf = (cellFolder: string) => { readonly alive: boolean; readonly description: string } | undefined;

/** The grid in `dir` and every cell's status, in grid order. Without `lockHolder` a started cell counts as stopped. */
export async function gridStatus(dir: string, lockHolder?: LockHolderOf): Promise<{ record: GridRecord; cells: CellStatus[] }> {
  const record = await readGridRecord(dir);
  if (record === null) throw new GridError(`ablate status: ${dir} has no grid.json (not an ablation grid folder)`);
  const cells: CellStatus[] = [];
  for (const cell of record.cells) {
    const folder = cellDir(dir, cell);
    const result = await readCellResult(folder);
    const started = await fs.stat(folder).then(() => true, () => false);
    const checkpointStep = started ? await checkpointStepOf(folder) : null;
    const logged = started ? await readStepLog(path.join(folder, 'log')).catch(() => []) : [];
    const holder = !result && started ? lockHolder?.(folder) : undefined;
    const state: CellState = result ? 'finished' : holder?.alive ? 'training' : started ? 'stopped' : 'waiting';
    cells.push({ cell, state, checkpointStep, loggedStep: logged.at(-1)?.['step'] ?? null, result, holder: holder?.alive ? holder.description : null });
  }
  return { record, cells };
}

async function checkpointStepOf(folder: string): Promise<number | null> {
  const checkpoint = await resolveCheckpointDir(path.join(folder, 'checkpoints')).catch(() => null);
  if (checkpoint === null) return null;
  const state = await fs.readFile(path.join(checkpoint, 'state.json'), 'utf8').then((text) => JSON.parse(text) as TrainStateJson, () => null);
  return state?.step ?? null;
}

/** The status as lines for a terminal: one per cell, then the counts and the cell time left. */
export function statusText(dir: string, record: GridRecord, cells: readonly CellStatus[]): string {
  const steps = Number(record.shared['steps']);
  const width = Math.max(...cells.map((c) => c.cell.name.length));
  const lines = [`ablate status of ${dir}: ${record.preset}, ${cells.length} cell(s), ${steps} steps each`];
  for (const c of cells) {
    let detail = '';
    if (c.result) {
      const m = c.result.metrics;
      detail = `PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)}, utilisation ${(100 * m.utilisation).toFixed(1)}%, ${(c.result.wallSeconds / 60).toFixed(0)} min`;
    } else if (c.state !== 'waiting') {
      const at = c.loggedStep === null ? 'no step logged' : `step ${c.loggedStep}/${steps}`;
      const saved = c.checkpointStep === null ? 'no checkpoint yet' : `checkpoint ${c.checkpointStep}`;
      detail = `${at} (${saved})${c.state === 'training' ? `, ${c.holder}` : ': its rank’s next run resumes it'}`;
    }
    lines.push(`  ${c.state.padEnd(8)} ${c.cell.name.padEnd(width)}  ${detail}`.trimEnd());
  }
  const count = (state: CellState): number => cells.filter((c) => c.state === state).length;
  const finished = cells.filter((c) => c.result !== null).map((c) => c.result!);
  let left = '';
  if (finished.length > 0 && Number.isFinite(steps) && steps > 0) {
    const perCell = finished.reduce((a, r) => a + r.wallSeconds, 0) / finished.length;
    const remaining = cells.filter((c) => !c.result).reduce((a, c) => a + 1 - Math.min(c.checkpointStep ?? 0, steps) / steps, 0);
    left = `; ≈ ${(remaining * perCell / 3600).toFixed(1)} cell-hour(s) left at the finished cells' mean of ${(perCell / 60).toFixed(0)} min per cell`;
  }
  lines.push(`${count('finished')} finished, ${count('training')} training, ${count('stopped')} stopped, ${count('waiting')} waiting${left}`);
  return `${lines.join('\n')}\n`;
}
