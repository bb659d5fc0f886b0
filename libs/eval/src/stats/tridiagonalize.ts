/**
 * Householder reduction of a dense symmetric matrix to tridiagonal form, float64, row-major n×n storage.
 * Step k reflects row k's tail x = A[k, k+1:] onto α·e₁ with H = I − β·v·vᵀ and applies H·S·H to the trailing block S
 * through the rank-2 update S ← S − v·wᵀ − w·vᵀ (p = β·S·v, w = p − (β·pᵀv/2)·v). Only the upper triangle of S is
 * read and written, every inner loop walks a contiguous row, and the product S'·v' of the next step is accumulated
 * during the update (one pass over the block per step). Cost ≈ 4n³/3 flops.
 */
export interface Tridiagonal {
  /** Diagonal [n]. */
  readonly diagonal: Float64Array;
  /** Off-diagonal [n]: entry i couples i and i+1; the last entry is 0. */
  readonly offDiagonal: Float64Array;
  /**
   * Householder vectors and factors when requested: the reflector of step k is stored in row k, columns k+1..n−1 of
   * `reflectors` (row-major n×n), with β in `betas[k]` (0 = identity reflector).
   */
  readonly reflectors?: Float64Array;
  readonly betas?: Float64Array;
}

/**
 * Tridiagonalises the symmetric matrix `matrix` (row-major n×n; only its upper triangle is read; not modified).
 * `keepReflectors` keeps what `orthogonalFromReflectors` needs to rebuild Q with A = Q·T·Qᵀ.
 */
export function tridiagonalize(matrix: Float64Array, n: number, keepReflectors: boolean): Tridiagonal {
  if (matrix.length !== n * n) throw new Error(`tridiagonalize: expected ${n * n} values for ${n}×${n}, got ${matrix.length}`);
  const a = Float64Array.from(matrix); // working copy; row k ends up holding reflector k
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  const betas = new Float64Array(n);
  let p = new Float64Array(n); // S·v of the current step (unscaled)
  let q = new Float64Array(n); // S'·v' of the next step, accumulated during the current update
  if (n > 2) {
    reflect(a, n, 0, diagonal, offDiagonal, betas);
    if (betas[0] !== 0) symmetricTimesVector(a, n, 1, 0, p);
  }
  for (let k = 0; k < n - 2; k++) {
    const row = k * n;
    const start = k + 1;
    const hasNext = k + 1 < n - 2;
    const beta = betas[k];
    if (beta === 0) {
      // Identity reflector: nothing to update; prepare the next step directly.
      if (hasNext) {
        reflect(a, n, k + 1, diagonal, offDiagonal, betas);
        if (betas[k + 1] !== 0) symmetricTimesVector(a, n, k + 2, k + 1, p);
      }
      continue;
    }
    let pv = 0;
    for (let i = start; i < n; i++) {
      p[i] *= beta;
      pv += p[i] * a[row + i];
    }
    const half = (beta * pv) / 2;
    for (let i = start; i < n; i++) p[i] -= half * a[row + i]; // p now holds w
    // S ← S − v·wᵀ − w·vᵀ on the upper triangle; row `start` first, so the next reflector can be formed from it and
    // its product S'·v' accumulated while the remaining rows are updated (one pass over the block instead of two).
    const r1 = start * n;
    const v1 = a[row + start];
    const w1 = p[start];
    for (let j = start; j < n; j++) a[r1 + j] -= v1 * p[j] + w1 * a[row + j];
    let fuse = false;
    if (hasNext) {
      reflect(a, n, start, diagonal, offDiagonal, betas);
      fuse = betas[start] !== 0;
      if (fuse) q.fill(0, start + 1, n);
    }
    for (let i = start + 1; i < n; i++) {
      const ri = i * n;
      const vi = a[row + i];
      const wi = p[i];
      if (fuse) {
        const ui = a[r1 + i]; // next reflector's component i
        let s = a[ri + i] - (vi * p[i] + wi * a[row + i]);
        a[ri + i] = s;
        let acc = s * ui;
        for (let j = i + 1; j < n; j++) {
          s = a[ri + j] - (vi * p[j] + wi * a[row + j]);
          a[ri + j] = s;
          acc += s * a[r1 + j];
          q[j] += s * ui;
        }
        q[i] += acc;
      } else {
        for (let j = i; j < n; j++) a[ri + j] -= vi * p[j] + wi * a[row + j];
      }
    }
    if (fuse) [p, q] = [q, p];
  }
  if (n >= 2) {
    diagonal[n - 2] = a[(n - 2) * n + n - 2];
    offDiagonal[n - 2] = a[(n - 2) * n + n - 1];
  }
  if (n >= 1) diagonal[n - 1] = a[n * n - 1];
  return keepReflectors ? { diagonal, offDiagonal, reflectors: a, betas } : { diagonal, offDiagonal };
}

/**
 * Forms reflector k from row k's tail x = A[k, k+1:]: v = x − α·e₁ (stored in place), α = −sign(x₀)·‖x‖,
 * β = 2/vᵀv; records d[k] and the off-diagonal α (x₀ and β = 0 when the tail is already zero).
 */
function reflect(a: Float64Array, n: number, k: number, diagonal: Float64Array, offDiagonal: Float64Array, betas: Float64Array): void {
  const row = k * n;
  diagonal[k] = a[row + k];
  let tailNormSq = 0;
  for (let j = k + 2; j < n; j++) tailNormSq += a[row + j] * a[row + j];
  const x0 = a[row + k + 1];
  if (tailNormSq === 0) {
    offDiagonal[k] = x0;
    betas[k] = 0;
    return;
  }
  const norm = Math.sqrt(x0 * x0 + tailNormSq);
  const alpha = x0 >= 0 ? -norm : norm;
  a[row + k + 1] = x0 - alpha;
  betas[k] = 1 / (norm * (norm + Math.abs(x0)));
  offDiagonal[k] = alpha;
}

/** out[start..] = S·v for the trailing block S = A[start.., start..] (upper triangle read), v = row `vRow`'s tail. */
function symmetricTimesVector(a: Float64Array, n: number, start: number, vRow: number, out: Float64Array): void {
  const row = vRow * n;
  out.fill(0, start, n);
  for (let i = start; i < n; i++) {
    const ri = i * n;
    const vi = a[row + i];
    let acc = a[ri + i] * vi;
    for (let j = i + 1; j < n; j++) {
      const s = a[ri + j];
      acc += s * a[row + j];
      out[j] += s * vi;
    }
    out[i] += acc;
  }
}

/**
 * Qᵀ (row-major n×n) for the reduction A = Q·T·Qᵀ, Q = H₀·H₁·…·H_{n−3}, built from the innermost reflector outwards
 * so each step only touches the trailing block (≈ 4n³/3 flops). Returned transposed: row i of Qᵀ is column i of Q,
 * which lets the QL sweeps rotate contiguous rows.
 */
export function orthogonalFromReflectors(tri: Tridiagonal, n: number): Float64Array {
  const { reflectors, betas } = tri;
  if (!reflectors || !betas) throw new Error('orthogonalFromReflectors: tridiagonalize(…, keepReflectors=true) is required');
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const u = new Float64Array(n);
  for (let k = n - 3; k >= 0; k--) {
    const beta = betas[k];
    if (beta === 0) continue;
    const row = k * n;
    const start = k + 1;
    // P ← H_k·P on the block [start.., start..]: u = β·vᵀ·P, then P[i, :] −= v_i·u.
    u.fill(0, start, n);
    for (let i = start; i < n; i++) {
      const vi = reflectors[row + i];
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = start; j < n; j++) u[j] += vi * q[ri + j];
    }
    for (let j = start; j < n; j++) u[j] *= beta;
    for (let i = start; i < n; i++) {
      const vi = reflectors[row + i];
      if (vi === 0) continue;
      const ri = i * n;
      for (let j = start; j < n; j++) q[ri + j] -= vi * u[j];
    }
  }
  // Transpose in place: return Qᵀ.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = q[i * n + j];
      q[i * n + j] = q[j * n + i];
      q[j * n + i] = t;
    }
  }
  return q;
}
