import { choleskyLower } from './cholesky-congruence.js';
import type { GaussianStats } from './feature-moments.js';

/**
 * How far below zero an eigenvalue of Σ may be, relative to Σ's largest diagonal entry, and still count as
 * positive semi-definite: rank-deficient sample covariances (fewer images than dimensions) and float32 files have
 * eigenvalues a little below zero from rounding alone.
 */
export const PSD_TOLERANCE = 1e-5;

/** Relative asymmetry |Σᵢⱼ − Σⱼᵢ| / max|Σᵢᵢ| above which Σ is refused as not symmetric. */
export const SYMMETRY_TOLERANCE = 1e-6;

/**
 * Throws unless `stats` are usable Gaussian statistics: mean [d] and covariance [d, d], every value finite, the
 * covariance symmetric and (near-)positive semi-definite. `where` prefixes messages (e.g. `stats 'ref.npz'`); `names`
 * are the array names to report (`mu`/`sigma` as in the .npz files). The PSD test is a Cholesky factorisation of
 * Σ + {@link PSD_TOLERANCE}·max(diag)·I (n³/3 flops; ~1/10 of what the Fréchet distance itself costs).
 */
export function validateGaussianStats(stats: GaussianStats, where: string, names = { mean: 'mu', covariance: 'sigma' }): void {
  const d = stats.dim;
  const { mean, covariance } = stats;
  if (!Number.isInteger(d) || d <= 0 || mean.length !== d || covariance.length !== d * d) {
    throw new Error(`${where}: expected '${names.mean}' [${d}] and '${names.covariance}' [${d}, ${d}], got ${mean.length} and ${covariance.length} values`);
  }
  for (let i = 0; i < d; i++) if (!Number.isFinite(mean[i])) throw new Error(`${where}: '${names.mean}'[${i}] is ${mean[i]}`);
  let largest = 0;
  for (let i = 0; i < d * d; i++) {
    const v = covariance[i];
    if (!Number.isFinite(v)) throw new Error(`${where}: '${names.covariance}'[${Math.floor(i / d)}, ${i % d}] is ${v}`);
  }
  for (let i = 0; i < d; i++) largest = Math.max(largest, Math.abs(covariance[i * d + i]));
  const entry = (i: number, j: number): string => `'${names.covariance}'[${i}, ${j}] = ${covariance[i * d + j]}`;
  const asymmetry = SYMMETRY_TOLERANCE * largest;
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      if (Math.abs(covariance[i * d + j] - covariance[j * d + i]) > asymmetry) {
        throw new Error(`${where}: '${names.covariance}' is not symmetric: ${entry(i, j)} but ${entry(j, i)}`);
      }
    }
  }
  const notPsd = `${where}: '${names.covariance}' is not positive semi-definite (a covariance matrix must be)`;
  const slack = PSD_TOLERANCE * largest;
  for (let i = 0; i < d; i++) if (covariance[i * d + i] < -slack) throw new Error(`${notPsd}: ${entry(i, i)}`);
  if (largest === 0) return; // Σ = 0: a point mass, valid
  const shifted = Float64Array.from(covariance);
  for (let i = 0; i < d; i++) shifted[i * d + i] += slack;
  if (!choleskyLower(shifted, d)) {
    throw new Error(`${notPsd}: it has an eigenvalue below −${PSD_TOLERANCE}·max|diag| = ${(-slack).toExponential(3)}`);
  }
}
