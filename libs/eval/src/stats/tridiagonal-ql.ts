/**
 * Eigenvalues (and optionally eigenvectors) of a symmetric tridiagonal matrix by the implicit QL method with
 * Wilkinson-type shifts (the classic tql/tqli scheme): for each leading index l, sweep Givens rotations from the
 * first negligible off-diagonal m back to l until the off-diagonal at l vanishes.
 */

/** Raised when an eigenvalue does not converge within the sweep limit. */
export class EigenConvergenceError extends Error {}

const MAX_SWEEPS_PER_EIGENVALUE = 60;
const SLOW_SWEEPS = 5;

/**
 * Diagonalises in place: on return `diagonal` holds the eigenvalues (unsorted) and `offDiagonal` is zero. When
 * `vectorRows` (row-major n×n) is given, every rotation of columns (i, i+1) of V is applied to rows (i, i+1) of Vᵀ =
 * `vectorRows`; start from Qᵀ of the tridiagonal reduction to get the eigenvectors of the original matrix as rows.
 */
export function tridiagonalQl(diagonal: Float64Array, offDiagonal: Float64Array, n: number, vectorRows?: Float64Array): void {
  const d = diagonal;
  const e = offDiagonal;
  e[n - 1] = 0;
  // An off-diagonal is negligible against its local diagonal pair (the accurate test: small eigenvalues keep full
  // relative precision, which matters because FID takes their square roots). Inside clusters of near-zero eigenvalues
  // (rank-deficient covariances: any FID on fewer images than feature dimensions) the local test may never fire; after
  // SLOW_SWEEPS sweeps on one eigenvalue the test falls back to the running matrix scale (as tql2's tst1 does).
  let scale = 0;
  for (let l = 0; l < n; l++) {
    scale = Math.max(scale, Math.abs(d[l]) + Math.abs(e[l]));
    for (let sweep = 0; ; sweep++) {
      let m = l;
      const floor = sweep >= SLOW_SWEEPS ? Number.EPSILON * scale : 0;
      for (; m < n - 1; m++) {
        const local = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Math.max(Number.EPSILON * local, floor)) break;
      }
      if (m === l) break;
      if (sweep >= MAX_SWEEPS_PER_EIGENVALUE) {
        throw new EigenConvergenceError(`tridiagonalQl: eigenvalue ${l} of ${n} did not converge in ${MAX_SWEEPS_PER_EIGENVALUE} sweeps`);
      }
      // Shift from the leading 2×2 block's eigenvalue closer to d[l].
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        if (vectorRows) rotateRows(vectorRows, n, i, s, c);
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/** rows (i, i+1) ← (c·row_i − s·row_{i+1}, s·row_i + c·row_{i+1}). */
function rotateRows(v: Float64Array, n: number, i: number, s: number, c: number): void {
  const a = i * n;
  const b = a + n;
  for (let k = 0; k < n; k++) {
    const x = v[a + k];
    const y = v[b + k];
    v[b + k] = s * x + c * y;
    v[a + k] = c * x - s * y;
  }
}
