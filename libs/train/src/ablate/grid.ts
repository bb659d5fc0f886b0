/**
 * The factors of an ablation grid (`vqrae ablate --dims|--dims-abs --sizes --quantizer --seeds`), their validation and
 * the cells they span. A cell's folder name is a function of its factors alone, so the same factors always land in
 * the same folder (and a rerun finds it).
 */

/** Quantizer variants a grid can compare, in their canonical order. */
export const QUANTIZER_KINDS = ['simvq', 'vq'] as const;
export type QuantizerKind = (typeof QUANTIZER_KINDS)[number];

/** Codebook dimensions: fractions of the encoder width (rounded to an integer) or absolute values. */
export type DimSpec = { readonly kind: 'fraction'; readonly values: readonly number[] } | { readonly kind: 'absolute'; readonly values: readonly number[] };

/** The grid's factors, each list sorted ascending (quantizers in canonical order) and free of duplicates. */
export interface AblationGrid {
  readonly dims: DimSpec;
  readonly sizes: readonly number[];
  readonly quantizers: readonly QuantizerKind[];
  readonly seeds: readonly number[];
}

/** One training run of the grid. */
export interface AblationCell {
  /** Folder name, e.g. `simvq-d576-k1024-s0`. */
  readonly name: string;
  readonly quantizer: QuantizerKind;
  readonly codebookDim: number;
  /** The `--dims` fraction this dim came from (null for `--dims-abs`). */
  readonly dimFraction: number | null;
  readonly codebookSize: number;
  readonly seed: number;
}

/** A grid flag was malformed (the CLI turns it into a usage error). */
export class GridError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GridError';
  }
}

/** Comma-separated items of `flag`, trimmed; an empty list or an empty item is refused. */
function items(text: string, flag: string): string[] {
  const parts = text.split(',').map((part) => part.trim());
  if (text.trim() === '' || parts.some((part) => part === '')) throw new GridError(`ablate: ${flag} ${JSON.stringify(text)} has an empty item; give a comma list such as 0.5,1`);
  return parts;
}

/** Numbers of a comma list, each checked by `valid` (its message names the rule), refusing duplicates; sorted. */
function numberList(text: string, flag: string, valid: (n: number) => boolean, rule: string): number[] {
  const values = items(text, flag).map((item) => {
    const n = Number(item);
    if (!/^[+]?[0-9.eE+-]+$/.test(item) || !Number.isFinite(n) || !valid(n)) throw new GridError(`ablate: ${flag}: '${item}' is not ${rule}`);
    return n;
  });
  return sortedUnique(values, flag);
}

function sortedUnique(values: readonly number[], flag: string): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const duplicate = sorted.find((v, i) => i > 0 && sorted[i - 1] === v);
  if (duplicate !== undefined) throw new GridError(`ablate: ${flag} lists ${duplicate} twice`);
  return sorted;
}

const positiveInt = (n: number): boolean => Number.isInteger(n) && n >= 1;

/** The grid flags as given (undefined = not given). */
export interface GridFlags {
  readonly dims?: string | undefined;
  readonly dimsAbs?: string | undefined;
  readonly sizes?: string | undefined;
  readonly quantizer?: string | undefined;
  readonly seeds?: string | undefined;
}

/**
 * Parses and validates the grid flags. Absent factors default to one value: the preset's codebook dim and size
 * (`defaults`), SimVQ, and `defaults.seed`. Throws a GridError naming the flag and the bad item.
 */
export function parseGrid(flags: GridFlags, defaults: { readonly codebookDim: number; readonly codebookSize: number; readonly seed: number }): AblationGrid {
  if (flags.dims !== undefined && flags.dimsAbs !== undefined) throw new GridError('ablate: give --dims (fractions of the encoder width) or --dims-abs (absolute dims), not both');
  const dims: DimSpec =
    flags.dims !== undefined
      ? { kind: 'fraction', values: numberList(flags.dims, '--dims', (n) => n > 0, 'a positive fraction of the encoder width') }
      : { kind: 'absolute', values: flags.dimsAbs !== undefined ? numberList(flags.dimsAbs, '--dims-abs', positiveInt, 'a positive integer') : [defaults.codebookDim] };
  const sizes = flags.sizes !== undefined ? numberList(flags.sizes, '--sizes', positiveInt, 'a positive integer codebook size') : [defaults.codebookSize];
  const seeds = flags.seeds !== undefined ? numberList(flags.seeds, '--seeds', (n) => Number.isSafeInteger(n) && n >= 0, 'a non-negative integer seed') : [defaults.seed];
  let quantizers: QuantizerKind[] = ['simvq'];
  if (flags.quantizer !== undefined) {
    const given = items(flags.quantizer, '--quantizer');
    for (const q of given) if (!(QUANTIZER_KINDS as readonly string[]).includes(q)) throw new GridError(`ablate: --quantizer: '${q}' is not one of ${QUANTIZER_KINDS.join(', ')}`);
    const duplicate = given.find((q, i) => given.indexOf(q) !== i);
    if (duplicate !== undefined) throw new GridError(`ablate: --quantizer lists ${duplicate} twice`);
    quantizers = QUANTIZER_KINDS.filter((q) => given.includes(q));
  }
  return { dims, sizes, quantizers, seeds };
}

/** The absolute dims of the grid for an encoder of width `encoderWidth` (fractions rounded; each ≥ 1, distinct). */
export function resolveDims(dims: DimSpec, encoderWidth: number): { readonly dim: number; readonly fraction: number | null }[] {
  if (dims.kind === 'absolute') return dims.values.map((dim) => ({ dim, fraction: null }));
  const resolved = dims.values.map((fraction) => {
    const dim = Math.round(fraction * encoderWidth);
    if (dim < 1) throw new GridError(`ablate: --dims ${fraction} × encoder width ${encoderWidth} rounds to ${dim}; the smallest usable fraction is ${(0.5 / encoderWidth).toPrecision(3)}`);
    return { dim, fraction };
  });
  const clash = resolved.find((r, i) => i > 0 && resolved[i - 1]!.dim === r.dim);
  if (clash) throw new GridError(`ablate: --dims ${resolved.find((r) => r.dim === clash.dim)!.fraction} and ${clash.fraction} both give dim ${clash.dim} (encoder width ${encoderWidth})`);
  return resolved;
}

/** The folder name of a cell: a function of its factors only. */
export function cellName(cell: Pick<AblationCell, 'quantizer' | 'codebookDim' | 'codebookSize' | 'seed'>): string {
  return `${cell.quantizer}-d${cell.codebookDim}-k${cell.codebookSize}-s${cell.seed}`;
}

/** Every cell of the grid, in a fixed order (quantizer, dim, size, seed): the order ranks split by index. */
export function gridCells(grid: AblationGrid, encoderWidth: number): AblationCell[] {
  const dims = resolveDims(grid.dims, encoderWidth);
  const cells: AblationCell[] = [];
  for (const quantizer of grid.quantizers) {
    for (const { dim, fraction } of dims) {
      for (const codebookSize of grid.sizes) {
        for (const seed of grid.seeds) {
          const factors = { quantizer, codebookDim: dim, codebookSize, seed };
          cells.push({ name: cellName(factors), ...factors, dimFraction: fraction });
        }
      }
    }
  }
  return cells;
}

/** The cells of `rank` among `worldSize` ranks: cell i belongs to rank i mod worldSize. */
export function cellsForRank<T>(cells: readonly T[], rank: number, worldSize: number): T[] {
  if (!Number.isInteger(worldSize) || worldSize < 1 || !Number.isInteger(rank) || rank < 0 || rank >= worldSize) {
    throw new GridError(`ablate: rank ${rank} of world size ${worldSize} is not a valid assignment`);
  }
  return cells.filter((_, i) => i % worldSize === rank);
}
