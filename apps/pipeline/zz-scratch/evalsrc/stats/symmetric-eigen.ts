import { orthogonalFromReflectors, tridiagonalize } from './tridiagonalize.js';
import { tridiagonalQl } from './tridiagonal-ql.js';

/** Eigen-decomposition A = Vᵀ-rows form: `values[i]` belongs to eigenvector row i of `vectorRows` (row-major n×n). */
export interface SymmetricEigenDecomposition {
  /** Eigenvalues in ascending order [n]. */
  readonly values: Float64Array;
  /** Row i = unit eigenvector of values[i] (i.e. Vᵀ), row-major n×n. */
  readonly vectorRows: Float64Array;
}

/**
 * Full eigen-decomposition of a real symmetric matrix (row-major n×n, upper triangle read) in float64:
 * Householder tridiagonalisation + implicit QL with accumulated rotations. Throws `EigenConvergenceError` if QL
 * does not converge.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigenDecomposition {
  const tri = tridiagonalize(matrix, n, true);
  const vectorRows = orthogonalFromReflectors(tri, n);
  const values = Float64Array.from(tri.diagonal);
  tridiagonalQl(values, Float64Array.from(tri.offDiagonal), n, vectorRows);
  const order = Array.from(values.keys()).sort((i, j) => values[i] - values[j]);
  const sortedValues = Float64Array.from(order, (i) => values[i]);
  const sortedRows = new Float64Array(n * n);
  order.forEach((from, to) => sortedRows.set(vectorRows.subarray(from * n, from * n + n), to * n));
  return { values: sortedValues, vectorRows: sortedRows };
}

/** Eigenvalues only (ascending) of a real symmetric matrix (row-major n×n, upper triangle read), float64. */
export function symmetricEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const tri = tridiagonalize(matrix, n, false);
  const values = Float64Array.from(tri.diagonal);
  tridiagonalQl(values, Float64Array.from(tri.offDiagonal), n);
  return values.sort();
}
