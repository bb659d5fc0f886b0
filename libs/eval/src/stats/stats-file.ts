import type { FeatureSpace } from '../fid/feature-space.js';
import type { GaussianStats } from './feature-moments.js';
import { FeatureMoments } from './feature-moments.js';
import { listNpz, readNpzArrays, writeNpz } from './npz.js';
import type { NpyArray } from './npy.js';
import { validateGaussianStats } from './validate-stats.js';

/**
 * Statistics files written here carry `feature_space`: the JSON of a {@link FeatureSpace} as a unicode scalar (NumPy
 * reads it with `str(f['feature_space'])`). Published pytorch-fid / ADM files carry no label; by convention they hold
 * FID-Inception pool3 statistics, which callers must state as an assumption.
 */
export function featureSpaceToText(space: FeatureSpace): string {
  return JSON.stringify(space);
}

/** Parses a `feature_space` label written by {@link featureSpaceToText}; other text becomes a named space. */
export function featureSpaceFromText(text: string): FeatureSpace {
  try {
    const parsed = JSON.parse(text) as { kind?: unknown; name?: unknown; variant?: unknown };
    if (parsed.kind === 'fid-inception' && typeof parsed.variant === 'string') return parsed as FeatureSpace;
    if (parsed.kind === 'named' && typeof parsed.name === 'string') return parsed as FeatureSpace;
  } catch {
    // not JSON: a plain name
  }
  return { kind: 'named', name: text };
}

/** Gaussian statistics with the provenance a `.npz` file may carry. */
export interface StatsFile extends GaussianStats {
  /** Feature space, or undefined when the file has no label (published files: FID-Inception by convention). */
  readonly featureSpace?: FeatureSpace;
  /** How the images were decoded (`exact` or `fast`, README "Decode modes"), or undefined when the file does not say. */
  readonly decodeMode?: string;
}

/** Optional provenance entries of a statistics or moments file. */
export interface StatsFileLabels {
  /** Image decode mode the features were computed from (`decode_mode` entry; omitted when undefined). */
  readonly decodeMode?: string;
}

function labelArrays(labels: StatsFileLabels | undefined): Record<string, NpyArray> {
  return labels?.decodeMode !== undefined ? { decode_mode: { dtype: 'unicode', shape: [], data: labels.decodeMode } } : {};
}

function floatArray(array: NpyArray | undefined, path: string, name: string): { data: Float64Array; shape: readonly number[] } {
  if (!array || (array.dtype !== 'f8' && array.dtype !== 'f4')) {
    throw new Error(`stats '${path}': '${name}' must be a float64/float32 array, got ${array?.dtype ?? 'nothing'}`);
  }
  return { data: array.dtype === 'f8' ? array.data : Float64Array.from(array.data), shape: array.shape };
}

/**
 * Reads `mu`/`sigma` statistics (pytorch-fid `np.savez(mu=, sigma=)`, ADM reference batches with extra arrays,
 * or files from `writeStatsNpz`). Only `mu`, `sigma` and the optional `n`/`feature_space`/`decode_mode` entries are read. Refuses
 * (naming the file and the entry) non-finite values and a sigma that is not symmetric positive semi-definite.
 */
export async function readStatsNpz(path: string): Promise<StatsFile> {
  const names = await listNpz(path);
  const optional = ['n', 'feature_space', 'decode_mode'].filter((n) => names.includes(n));
  const arrays = await readNpzArrays(path, ['mu', 'sigma', ...optional]);
  const mu = floatArray(arrays.get('mu'), path, 'mu');
  const sigma = floatArray(arrays.get('sigma'), path, 'sigma');
  const dim = mu.data.length;
  if (mu.shape.length !== 1 || sigma.shape.length !== 2 || sigma.shape[0] !== dim || sigma.shape[1] !== dim) {
    throw new Error(`stats '${path}': expected mu [d] and sigma [d, d], got mu (${mu.shape.join(', ')}) and sigma (${sigma.shape.join(', ')})`);
  }
  validateGaussianStats({ dim, mean: mu.data, covariance: sigma.data }, `stats '${path}'`);
  const n = arrays.get('n');
  const space = arrays.get('feature_space');
  const decodeMode = arrays.get('decode_mode');
  return {
    dim,
    mean: mu.data,
    covariance: sigma.data,
    ...(n && n.dtype === 'i8' ? { count: Number(n.data[0]) } : {}),
    ...(space && space.dtype === 'unicode' ? { featureSpace: featureSpaceFromText(space.data) } : {}),
    ...(decodeMode && decodeMode.dtype === 'unicode' ? { decodeMode: decodeMode.data } : {}),
  };
}

/**
 * Writes `mu`, `sigma` (float64), `n` (int64, when known), `feature_space` and, when given, `decode_mode` as an `.npz`
 * pytorch-fid can read.
 */
export async function writeStatsNpz(path: string, stats: GaussianStats, featureSpace: FeatureSpace, labels?: StatsFileLabels): Promise<void> {
  const arrays: Record<string, NpyArray> = {
    ...labelArrays(labels),
    mu: { dtype: 'f8', shape: [stats.dim], data: stats.mean },
    sigma: { dtype: 'f8', shape: [stats.dim, stats.dim], data: stats.covariance },
    feature_space: { dtype: 'unicode', shape: [], data: featureSpaceToText(featureSpace) },
  };
  if (stats.count !== undefined) arrays.n = { dtype: 'i8', shape: [], data: BigInt64Array.of(BigInt(stats.count)) };
  await writeNpz(path, arrays);
}

/** Writes mergeable moments (`n`, `sum`, `sum_outer`, `feature_space`, optional `decode_mode`) so ranks/shards can be combined later. */
export async function writeMomentsNpz(path: string, moments: FeatureMoments, featureSpace: FeatureSpace, labels?: StatsFileLabels): Promise<void> {
  await writeNpz(path, {
    ...labelArrays(labels),
    n: { dtype: 'i8', shape: [], data: BigInt64Array.of(BigInt(moments.count)) },
    sum: { dtype: 'f8', shape: [moments.dim], data: moments.sum },
    sum_outer: { dtype: 'f8', shape: [moments.dim, moments.dim], data: moments.sumOuter },
    feature_space: { dtype: 'unicode', shape: [], data: featureSpaceToText(featureSpace) },
  });
}

/** Reads moments written by `writeMomentsNpz`; refuses (naming the file and entry) bad shapes, counts and non-finite sums. */
export async function readMomentsNpz(path: string): Promise<{ moments: FeatureMoments; featureSpace: FeatureSpace }> {
  const arrays = await readNpzArrays(path, ['n', 'sum', 'sum_outer', 'feature_space']);
  const n = arrays.get('n');
  const space = arrays.get('feature_space');
  const sum = floatArray(arrays.get('sum'), path, 'sum');
  const sumOuter = floatArray(arrays.get('sum_outer'), path, 'sum_outer');
  if (!n || n.dtype !== 'i8' || !space || space.dtype !== 'unicode') throw new Error(`moments '${path}': 'n' (int64) and 'feature_space' (str) are required`);
  const count = Number(n.data[0]);
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`moments '${path}': 'n' is ${n.data[0]}, not a count`);
  const d = sum.data.length;
  if (sum.shape.length !== 1 || sumOuter.shape.length !== 2 || sumOuter.shape[0] !== d || sumOuter.shape[1] !== d) {
    throw new Error(`moments '${path}': expected sum [d] and sum_outer [d, d], got sum (${sum.shape.join(', ')}) and sum_outer (${sumOuter.shape.join(', ')})`);
  }
  for (const [name, values] of [['sum', sum.data], ['sum_outer', sumOuter.data]] as const) {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new Error(`moments '${path}': '${name}'[${i}] is ${values[i]}`);
  }
  return { moments: FeatureMoments.fromMoments(d, count, sum.data, sumOuter.data), featureSpace: featureSpaceFromText(space.data) };
}
