/**
 * `<grid>/grid.json`: the grid's factors, its cells and the options every cell shares. The first process creates it
 * (exclusively: concurrent ranks cannot both write it); every later run and rank must agree with it, so a rerun with
 * other shared options is refused instead of silently mixing two experiments in one table.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AblationCell, AblationGrid } from './grid.js';
import { GridError } from './grid.js';
import type { TrainJobConfig } from '../job-config.js';

export const GRID_FILE = 'grid.json';
export const GRID_FORMAT = 'vqrae-ablation-grid/1';

/**
 * Settings that differ per cell (`out`, `seed`, `quantizer`, `resume`) or only steer one invocation (how often to
 * checkpoint, evaluate, preview; time limits): not part of the grid's identity.
 */
const NOT_SHARED: ReadonlySet<string> = new Set([
  'out', 'resume', 'seed', 'quantizer', 'checkpointEvery', 'keepCheckpoints', 'previewEvery', 'evalEvery', 'maxMinutes', 'stopAfterStep',
]);

/** The options every cell trains and evaluates with (the cell's own factors and invocation controls removed). */
export type SharedOptions = Readonly<Record<string, unknown>>;

/** `base` without the per-cell and per-invocation settings. */
export function sharedOptions(base: TrainJobConfig): SharedOptions {
  return Object.fromEntries(Object.entries(base).filter(([key]) => !NOT_SHARED.has(key)));
}

/** What grid.json holds. */
export interface GridRecord {
  readonly format: typeof GRID_FORMAT;
  readonly preset: string;
  /** Width d of the preset's encoder (what `--dims` fractions multiply). */
  readonly encoderWidth: number;
  readonly grid: AblationGrid;
  readonly cells: readonly AblationCell[];
  readonly shared: SharedOptions;
  readonly createdAt: string;
}

/** Reads `<dir>/grid.json`; null when there is none. Throws naming the file when it is not a grid record. */
export async function readGridRecord(dir: string): Promise<GridRecord | null> {
  const file = path.join(dir, GRID_FILE);
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  let parsed: Partial<GridRecord>;
  try {
    parsed = JSON.parse(text) as Partial<GridRecord>;
  } catch (error) {
    throw new GridError(`ablate: ${file} is not JSON (${(error as Error).message})`);
  }
  if (parsed.format !== GRID_FORMAT || !Array.isArray(parsed.cells) || typeof parsed.shared !== 'object') {
    throw new GridError(`ablate: ${file} is not an ablation grid record (format ${JSON.stringify(parsed.format)}, expected ${GRID_FORMAT})`);
  }
  return parsed as GridRecord;
}

/** The differences between two records' identities (`steps 8 → 12`, `grid.sizes [64] → [64,128]`). */
function differences(before: GridRecord, now: Omit<GridRecord, 'createdAt'>): string[] {
  const out: string[] = [];
  const compare = (label: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${label} ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  };
  compare('preset', before.preset, now.preset);
  for (const key of ['dims', 'sizes', 'quantizers', 'seeds'] as const) compare(`grid.${key}`, before.grid[key], now.grid[key]);
  const keys = new Set([...Object.keys(before.shared), ...Object.keys(now.shared)]);
  for (const key of keys) compare(key, before.shared[key], now.shared[key]);
  return out;
}

/**
 * Creates `<dir>/grid.json` for `record`, or checks that the one there describes the same grid and shared options.
 * Returns the record in force. Throws a GridError listing every difference.
 */
export async function claimGridRecord(dir: string, record: Omit<GridRecord, 'createdAt'>): Promise<GridRecord> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, GRID_FILE);
  const full: GridRecord = { ...record, createdAt: new Date().toISOString() };
  const temporary = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temporary, `${JSON.stringify(full, null, 2)}\n`);
  try {
    await fs.link(temporary, file); // atomic and exclusive: fails with EEXIST when another run or rank made it first
    return full;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temporary, { force: true });
  }
  const existing = (await readGridRecord(dir))!;
  const changed = differences(existing, record);
  if (changed.length > 0) {
    throw new GridError(
      `ablate: ${file} records another grid or other shared options (${changed.join('; ')}); ` +
        'rerun with the recorded options to continue it, or choose another --out',
    );
  }
  return existing;
}
