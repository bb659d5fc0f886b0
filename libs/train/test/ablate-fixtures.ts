/** Finished ablation cells without training: synthetic results for the merge, table and dynamics tests. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { CELL_RESULT_FILE, CELL_RESULT_FORMAT, cellDir, type CellResult } from '../src/ablate/cell-run.js';
import type { AblationCell } from '../src/ablate/grid.js';

/** A finished cell's result with metrics that depend on its factors (seeded, no training). */
export function syntheticCellResult(cell: AblationCell, index: number): CellResult {
  const codesUsed = Math.round(cell.codebookSize * (0.4 + 0.1 * index));
  return {
    format: CELL_RESULT_FORMAT,
    cell,
    steps: 10,
    metrics: {
      images: 4,
      psnr: 17 + 0.25 * index + 0.01 * cell.seed,
      ssim: 0.4 + 0.01 * index,
      // One cell's FD is NaN (fewer than 2 images would do that): it must read back as NaN, not 0.
      fd: index === 1 ? Number.NaN : 12 - 0.1 * index,
      fdLabel: 'FD[frozen-encoder-0123456789ab]',
      fdSpace: 'frozen-encoder-0123456789ab',
      utilisation: codesUsed / cell.codebookSize,
      perplexity: 100 + 7 * index,
      codesUsed,
      deadCodes: cell.codebookSize - codesUsed,
      checkpointSha256: String(index).repeat(64),
    },
    wallSeconds: 60 + index,
    resumedFromStep: index % 2 === 0 ? 0 : 5,
    checkpoint: `cells/${cell.name}/model-ema.safetensors`,
    finishedAt: '2026-12-05T00:00:00.000Z',
  };
}

export async function finishCell(dir: string, result: CellResult): Promise<void> {
  await fs.mkdir(cellDir(dir, result.cell), { recursive: true });
  await fs.writeFile(path.join(cellDir(dir, result.cell), CELL_RESULT_FILE), JSON.stringify(result));
}
