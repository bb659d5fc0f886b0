/**
 * Reads a merged `ablation.arrow` back (the inverse of {@link writeAblationTable}): the cells' factors and metrics,
 * the grid it came from and, for a partial merge, the cells that were missing. With it a grid's result can be
 * re-tabulated, compared or plotted without the grid folder (e.g. from a committed copy).
 */
import fs from 'node:fs/promises';
import { tableFromIPC, type Table } from 'apache-arrow';
import { provenanceFromMetadata, type Provenance } from '@vqrae/eval';
import type { CellResult } from './cell-run.js';
import { QUANTIZER_KINDS, type AblationGrid, type QuantizerKind } from './grid.js';
import type { SummarisedGrid } from './summary.js';

/** A row of ablation.arrow: a CellResult without its file-format tag, checkpoint path and finishing time. */
export type AblationTableCell = Omit<CellResult, 'format' | 'checkpoint' | 'finishedAt'>;

/** What ablation.arrow holds. */
export interface AblationTableContents {
  /** Preset, encoder width, factors, shared options and the names of all the grid's cells. */
  readonly grid: SummarisedGrid & { readonly grid: AblationGrid };
  /** One per row, in file (grid) order. */
  readonly cells: readonly AblationTableCell[];
  /** The cells a partial merge did not have (empty for a complete grid). */
  readonly missing: readonly string[];
  readonly provenance: Provenance;
}

/** The metadata key the grid record is under (see writeAblationTable). */
const GRID_METADATA_KEY = 'vqrae.ablation_grid';

/** Reads `file`; throws naming the file and what is wrong when it is not an ablation table. */
export async function readAblationTable(file: string): Promise<AblationTableContents> {
  let table: Table;
  try {
    table = tableFromIPC(await fs.readFile(file));
  } catch (error) {
    throw new Error(`readAblationTable: ${file} is not an Arrow IPC file (${(error as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new Error(`readAblationTable: ${file}: ${what}`);
  };
  const metadata = table.schema.metadata;
  const gridJson = metadata.get(GRID_METADATA_KEY) ?? fail(`no '${GRID_METADATA_KEY}' schema metadata (not written by vqrae ablate)`);
  let record: Pick<SummarisedGrid, 'preset' | 'encoderWidth' | 'shared'> & { grid: AblationGrid };
  try {
    record = JSON.parse(gridJson) as typeof record;
  } catch (error) {
    return fail(`'${GRID_METADATA_KEY}' is not JSON (${(error as Error).message})`);
  }
  const provenance = provenanceFromMetadata(metadata);
  const config = provenance.config as { cells?: unknown; partial?: { missing?: unknown } } | null;
  const cellNames = Array.isArray(config?.cells) ? (config.cells as string[]) : fail('its provenance lists no cells');
  const missing = Array.isArray(config?.partial?.missing) ? (config.partial.missing as string[]) : [];

  /** A checked reader of column `name`: `accept` says whether a cell's value has the column's type (`what`). */
  const typed = <T>(name: string, what: string, accept: (value: unknown) => value is T) => {
    const vector = table.getChild(name) ?? fail(`no '${name}' column`);
    return (row: number): T => {
      const value: unknown = vector.get(row);
      return accept(value) ? value : fail(`row ${row}: '${name}' is not ${what}`);
    };
  };
  const text = (name: string) => typed(name, 'a string', (v): v is string => typeof v === 'string');
  const int = (name: string) => typed(name, 'an integer', (v): v is number => Number.isInteger(v));
  /** Nullable floats: null (a NaN when written) reads back as null, then NaN. */
  const float = (name: string) => typed(name, 'a number', (v): v is number | null => v === null || typeof v === 'number');
  const nan = (value: number | null): number => value ?? Number.NaN;
  const read = {
    name: text('cell'), quantizer: text('quantizer'), dim: int('codebook_dim'), fraction: float('dim_fraction'), size: int('codebook_size'),
    seed: int('seed'), steps: int('steps'), images: int('images'), psnr: float('psnr'), ssim: float('ssim'), fd: float('fd'),
    fdLabel: text('fd_space'), utilisation: float('utilisation'), perplexity: float('perplexity'), codesUsed: int('codes_used'),
    deadCodes: int('dead_codes'), wall: float('wall_s'), resumedFrom: int('resumed_from_step'), sha256: text('checkpoint_sha256'),
  };
  const cells: AblationTableCell[] = [];
  for (let row = 0; row < table.numRows; row++) {
    const quantizer = read.quantizer(row);
    if (!(QUANTIZER_KINDS as readonly string[]).includes(quantizer)) fail(`row ${row}: unknown quantizer '${quantizer}'`);
    const fdLabel = read.fdLabel(row);
    cells.push({
      cell: {
        name: read.name(row), quantizer: quantizer as QuantizerKind, codebookDim: read.dim(row), dimFraction: read.fraction(row),
        codebookSize: read.size(row), seed: read.seed(row),
      },
      steps: read.steps(row),
      metrics: {
        images: read.images(row), psnr: nan(read.psnr(row)), ssim: nan(read.ssim(row)), fd: nan(read.fd(row)), fdLabel,
        // The file keeps the label (`FD[<space>]`); the space is its bracketed part.
        fdSpace: /^FD\[(.*)\]$/.exec(fdLabel)?.[1] ?? fdLabel,
        utilisation: nan(read.utilisation(row)), perplexity: nan(read.perplexity(row)), codesUsed: read.codesUsed(row),
        deadCodes: read.deadCodes(row), checkpointSha256: read.sha256(row),
      },
      wallSeconds: nan(read.wall(row)),
      resumedFromStep: read.resumedFrom(row),
    });
  }
  return { grid: { ...record, cells: cellNames.map((name) => ({ name })) }, cells, missing, provenance };
}
