/**
 * `vqrae ablate` as a library call: claim (or check) grid.json, then run this rank's cells one after the other
 * (cell i belongs to rank i mod worldSize), skipping finished ones and resuming a killed one.
 */
import { encoderGeometry, presetConfig } from '@vqrae/tokenizer';
import type { TrainJobConfig } from '../job-config.js';
import { applyQuantizerOverride } from '../quantizer-override.js';
import { runCell, type CellHost, type CellResult } from './cell-run.js';
import { claimGridRecord, sharedOptions, type GridRecord } from './grid-file.js';
import { cellsForRank, gridCells, type AblationGrid } from './grid.js';

/** A grid run's request. */
export interface AblationRequest {
  /** Grid folder (`--out`). */
  readonly dir: string;
  readonly grid: AblationGrid;
  /** Every cell's training options (stage 1; `out`, `seed` and `quantizer` are set per cell). */
  readonly base: TrainJobConfig;
  readonly rank: number;
  readonly worldSize: number;
}

/** What one invocation did. */
export interface AblationRunReport {
  readonly record: GridRecord;
  /** Cell names of this rank, in order. */
  readonly assigned: readonly string[];
  readonly skipped: readonly string[];
  readonly finished: readonly CellResult[];
  /** True when Ctrl-C stopped the run (the current cell resumes from its last checkpoint on a rerun). */
  readonly cancelled: boolean;
}

/** Width d of a preset's encoder (what `--dims` fractions multiply). */
export function presetEncoderWidth(preset: string): number {
  return encoderGeometry(presetConfig(preset).encoder).width;
}

/** The grid record an ablation request stands for (without its creation time). */
export function gridRecordOf(request: Pick<AblationRequest, 'grid' | 'base'>): Omit<GridRecord, 'createdAt'> {
  const encoderWidth = presetEncoderWidth(request.base.preset);
  return {
    format: 'vqrae-ablation-grid/1',
    preset: request.base.preset,
    encoderWidth,
    grid: request.grid,
    cells: gridCells(request.grid, encoderWidth),
    shared: sharedOptions(request.base),
  };
}

/** Runs this rank's cells of the grid (see the module comment). Throws on a refused grid or a failed cell. */
export async function runAblation(request: AblationRequest, host: CellHost): Promise<AblationRunReport> {
  if (request.base.stage !== 1) throw new Error('ablate: the grid trains stage-1 cells (encoder frozen)');
  // Every cell's quantizer must be valid before any cell trains.
  const presetQuantizer = presetConfig(request.base.preset).quantizer;
  for (const cell of request.grid.quantizers) applyQuantizerOverride(presetQuantizer, { kind: cell });
  const record = await claimGridRecord(request.dir, gridRecordOf(request));
  const mine = cellsForRank(record.cells, request.rank, request.worldSize);
  host.log.info(`ablate: rank ${request.rank} of ${request.worldSize}: ${mine.length} of ${record.cells.length} cell(s): ${mine.map((c) => c.name).join(', ')}`);
  const skipped: string[] = [];
  const finished: CellResult[] = [];
  for (const [i, cell] of mine.entries()) {
    if (host.signal?.aborted) return { record, assigned: mine.map((c) => c.name), skipped, finished, cancelled: true };
    const outcome = await runCell(cell, request.base, request.dir, host);
    if (outcome.status === 'cancelled') {
      host.log.warn(`ablate: cancelled during ${cell.name}; rerun the same command to resume it from its last checkpoint`);
      return { record, assigned: mine.map((c) => c.name), skipped, finished, cancelled: true };
    }
    if (outcome.status === 'skipped') {
      skipped.push(cell.name);
      host.log.info(`ablate: ${cell.name} already finished (${i + 1}/${mine.length}); skipped`);
    } else {
      finished.push(outcome.result);
      const m = outcome.result.metrics;
      host.log.info(
        `ablate: ${cell.name} finished (${i + 1}/${mine.length}): PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)}, ` +
          `utilisation ${(100 * m.utilisation).toFixed(1)}%, perplexity ${m.perplexity.toFixed(1)}, ${outcome.result.wallSeconds.toFixed(1)} s`,
      );
    }
  }
  return { record, assigned: mine.map((c) => c.name), skipped, finished, cancelled: false };
}
