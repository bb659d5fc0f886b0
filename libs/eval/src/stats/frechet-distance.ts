import { choleskyLower, congruenceUpper } from './cholesky-congruence.js';
import type { GaussianStats } from './feature-moments.js';
import { symmetricEigen, symmetricEigenvalues } from './symmetric-eigen.js';
import { EigenConvergenceError } from './tridiagonal-ql.js';

/** Fréchet distance and its parts (model-spec §8.5.4). */
export interface FrechetResult {
  /** ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2·tr((Σ₁Σ₂)^½). */
  readonly distance: number;
  readonly meanTerm: number;
  readonly traceA: number;
  readonly traceB: number;
  /** tr((Σ₁Σ₂)^½) = Σ √max(μᵢ, 0) over the eigenvalues μᵢ of Σ₁^½·Σ₂·Σ₁^½. */
  readonly traceSqrtProduct: number;
  /** Smallest eigenvalue of the symmetric matrix similar to Σ₁Σ₂ (≈ 0 or slightly negative when rank-deficient). */
  readonly minProductEigenvalue: number;
  /** How tr((Σ₁Σ₂)^½) was computed: Cholesky congruence (Σ₁ positive definite) or the symmetric-eigen route. */
  readonly method: TraceSqrtMethod;
  /** ε added to both diagonals; 0 unless the eigen solver failed to converge on the plain matrices. */
  readonly epsilon: number;
}

/**
 * `eigen`: model-spec §8.5.4 — Σ₁ = VΛVᵀ, eigenvalues of Λ^½·VᵀΣ₂V·Λ^½ (works for PSD Σ₁). `cholesky`: eigenvalues
 * of Lᵀ·Σ₂·L with Σ₁ = LLᵀ, ≈ 4× fewer flops, only for positive definite Σ₁. `auto` tries cholesky, then eigen.
 */
export type TraceSqrtMethod = 'eigen' | 'cholesky';

/** ε of the pytorch-fid fallback, used only when the eigen solver does not converge. */
export const FRECHET_FALLBACK_EPSILON = 1e-6;

/**
 * Fréchet distance between two Gaussians in float64. tr((Σ₁Σ₂)^½) comes from symmetric eigen-decompositions only:
 * Σ₁ = V·Λ·Vᵀ, then B = Vᵀ·Σ₂·V scaled to M = Λ^½·B·Λ^½ (orthogonally similar to Σ₁^½Σ₂Σ₁^½, hence to Σ₁Σ₂), whose
 * eigenvalues are real and ≥ 0 up to rounding. No complex arithmetic, no Schur form.
 */
export function frechetDistance(
  a: GaussianStats,
  b: GaussianStats,
  options: { readonly method?: TraceSqrtMethod | 'auto' } = {},
): FrechetResult {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: dimensions differ (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  checkStats(a, 'first');
  checkStats(b, 'second');
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (a.mean[i] - b.mean[i]) ** 2;
  let traceA = 0;
  let traceB = 0;
  for (let i = 0; i < d; i++) {
    traceA += a.covariance[i * d + i];
    traceB += b.covariance[i * d + i];
  }
  let epsilon = 0;
  const method = options.method ?? 'auto';
  let sqrt: TraceSqrt;
  try {
    sqrt = traceSqrtOfProduct(a.covariance, b.covariance, d, method);
  } catch (error) {
    if (!(error instanceof EigenConvergenceError)) throw error;
    epsilon = FRECHET_FALLBACK_EPSILON;
    sqrt = traceSqrtOfProduct(addDiagonal(a.covariance, d, epsilon), addDiagonal(b.covariance, d, epsilon), d, method);
  }
  const distance = meanTerm + traceA + traceB - 2 * sqrt.trace;
  return { distance, meanTerm, traceA, traceB, traceSqrtProduct: sqrt.trace, minProductEigenvalue: sqrt.minProduct, method: sqrt.method, epsilon };
}

/** Shapes and finiteness (O(d²)); symmetry and PSD are checked where statistics enter (`readStatsNpz`). */
function checkStats(stats: GaussianStats, which: string): void {
  const d = stats.dim;
  if (stats.mean.length !== d || stats.covariance.length !== d * d) {
    throw new Error(`frechetDistance: ${which} statistics have mean [${stats.mean.length}] and covariance of ${stats.covariance.length} values for dim ${d}`);
  }
  for (let i = 0; i < d; i++) if (!Number.isFinite(stats.mean[i])) throw new Error(`frechetDistance: ${which} statistics: 'mu'[${i}] is ${stats.mean[i]}`);
  for (let i = 0; i < d * d; i++) {
    const v = stats.covariance[i];
    if (!Number.isFinite(v)) throw new Error(`frechetDistance: ${which} statistics: 'sigma'[${Math.floor(i / d)}, ${i % d}] is ${v}`);
  }
}

function addDiagonal(m: Float64Array, d: number, eps: number): Float64Array {
  const out = Float64Array.from(m);
  for (let i = 0; i < d; i++) out[i * d + i] += eps;
  return out;
}

/** tr((Σ₁Σ₂)^½) with the smallest eigenvalue of the similar symmetric matrix and the method used. */
export interface TraceSqrt {
  readonly trace: number;
  readonly minProduct: number;
  readonly method: TraceSqrtMethod;
}

/** tr((Σ₁Σ₂)^½) for symmetric PSD Σ₁, Σ₂ (row-major d×d). `auto` = Cholesky congruence if Σ₁ is PD, else eigen. */
export function traceSqrtOfProduct(sigmaA: Float64Array, sigmaB: Float64Array, d: number, method: TraceSqrtMethod | 'auto' = 'auto'): TraceSqrt {
  if (method !== 'eigen') {
    const l = choleskyLower(sigmaA, d);
    if (l) return sumOfRoots(symmetricEigenvalues(congruenceUpper(l, sigmaB, d), d), 'cholesky');
    if (method === 'cholesky') throw new Error('traceSqrtOfProduct: Σ₁ is not positive definite; use method eigen or auto');
  }
  const { values, vectorRows: e } = symmetricEigen(sigmaA, d); // Σ₁ = Eᵀ·Λ·E, rows of E = eigenvectors
  const scale = Float64Array.from(values, (v) => Math.sqrt(Math.max(v, 0)));
  const f = multiplyRowsByMatrix(e, sigmaB, d); // F = E·Σ₂ [d, d]
  const m = new Float64Array(d * d); // M = Λ^½·(E·Σ₂·Eᵀ)·Λ^½, upper triangle
  for (let i = 0; i < d; i++) {
    const fi = i * d;
    for (let j = i; j < d; j++) {
      const ej = j * d;
      let acc = 0;
      for (let k = 0; k < d; k++) acc += f[fi + k] * e[ej + k];
      m[fi + j] = scale[i] * acc * scale[j];
    }
  }
  return sumOfRoots(symmetricEigenvalues(m, d), 'eigen');
}

function sumOfRoots(ascending: Float64Array, method: TraceSqrtMethod): TraceSqrt {
  let trace = 0;
  for (const v of ascending) trace += Math.sqrt(Math.max(v, 0));
  return { trace, minProduct: ascending[0], method };
}

const I_BLOCK = 8;

/** C = A·B for row-major d×d matrices, blocked over rows of A so each row of B is streamed once per block. */
function multiplyRowsByMatrix(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i0 = 0; i0 < d; i0 += I_BLOCK) {
    const i1 = Math.min(i0 + I_BLOCK, d);
    for (let k = 0; k < d; k++) {
      const bk = k * d;
      for (let i = i0; i < i1; i++) {
        const aik = a[i * d + k];
        if (aik === 0) continue;
        const ci = i * d;
        for (let j = 0; j < d; j++) c[ci + j] += aik * b[bk + j];
      }
    }
  }
  return c;
}
