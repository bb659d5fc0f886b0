/**
 * Streaming sufficient statistics of feature vectors for Fréchet distances (model-spec §8.5.3): n, Σx and Σx·xᵀ in
 * float64. Merging is plain addition, so shards and ranks combine exactly in any order.
 */

/** Mean and sample covariance (denominator n − 1, numpy `cov` default) of a feature set. */
export interface GaussianStats {
  readonly dim: number;
  /** [dim] */
  readonly mean: Float64Array;
  /** [dim, dim] row-major, symmetric. */
  readonly covariance: Float64Array;
  /** Number of feature vectors, when known (published .npz statistics usually do not store it). */
  readonly count?: number;
}

const ROW_BLOCK = 64; // feature rows per outer-product block: transposed block stays in cache

/** Accumulates n, Σx, Σx·xᵀ over feature rows; `merge` adds another accumulator (other shard or rank). */
export class FeatureMoments {
  /** Number of feature vectors added. */
  count = 0;
  /** Σx [dim]. */
  readonly sum: Float64Array;
  /** Σx·xᵀ [dim, dim] row-major, kept symmetric (both triangles filled). */
  readonly sumOuter: Float64Array;
  private readonly columns: Float64Array; // one block transposed [dim, ROW_BLOCK]

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim <= 0) throw new Error(`FeatureMoments: dim must be a positive integer, got ${dim}`);
    this.sum = new Float64Array(dim);
    this.sumOuter = new Float64Array(dim * dim);
    this.columns = new Float64Array(dim * ROW_BLOCK);
  }

  /** Rebuilds an accumulator from stored moments (e.g. read back from a file). Arrays are copied. */
  static fromMoments(dim: number, count: number, sum: Float64Array, sumOuter: Float64Array): FeatureMoments {
    const moments = new FeatureMoments(dim);
    if (sum.length !== dim || sumOuter.length !== dim * dim) {
      throw new Error(`FeatureMoments.fromMoments: expected sum [${dim}] and sumOuter [${dim}, ${dim}], got ${sum.length} and ${sumOuter.length}`);
    }
    moments.count = count;
    moments.sum.set(sum);
    moments.sumOuter.set(sumOuter);
    return moments;
  }

  /** Adds `rows` feature vectors stored row-major in `features` ([rows, dim]). */
  add(features: Float32Array | Float64Array, rows: number): void {
    const d = this.dim;
    if (features.length !== rows * d) {
      throw new Error(`FeatureMoments.add: expected ${rows}×${d} = ${rows * d} values, got ${features.length}`);
    }
    for (let r = 0; r < rows * d; r++) {
      if (!Number.isFinite(features[r])) throw new Error(`FeatureMoments.add: non-finite feature at row ${Math.floor(r / d)}, column ${r % d}`);
    }
    for (let start = 0; start < rows; start += ROW_BLOCK) this.addBlock(features, start, Math.min(ROW_BLOCK, rows - start));
    // Mirror the accumulated upper triangle so sumOuter stays a full symmetric matrix (merge = add keeps it so).
    const s = this.sumOuter;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) s[j * d + i] = s[i * d + j];
    this.count += rows;
  }

  private addBlock(features: Float32Array | Float64Array, start: number, rows: number): void {
    const d = this.dim;
    const cols = this.columns; // [dim, rows] of this block
    for (let r = 0; r < rows; r++) {
      const base = (start + r) * d;
      for (let i = 0; i < d; i++) {
        const v = features[base + i];
        cols[i * rows + r] = v;
        this.sum[i] += v;
      }
    }
    const s = this.sumOuter;
    for (let i = 0; i < d; i++) {
      const ci = i * rows;
      for (let j = i; j < d; j++) {
        const cj = j * rows;
        let acc = 0;
        for (let r = 0; r < rows; r++) acc += cols[ci + r] * cols[cj + r];
        s[i * d + j] += acc;
      }
    }
  }

  /** Adds another accumulator of the same dimension into this one. */
  merge(other: FeatureMoments): void {
    if (other.dim !== this.dim) throw new Error(`FeatureMoments.merge: dimensions differ (${this.dim} vs ${other.dim})`);
    this.count += other.count;
    for (let i = 0; i < this.sum.length; i++) this.sum[i] += other.sum[i];
    for (let i = 0; i < this.sumOuter.length; i++) this.sumOuter[i] += other.sumOuter[i];
  }

  /** μ = Σx/n and Σ = (Σx·xᵀ − n·μμᵀ)/(n − 1). Needs n ≥ 2. */
  toGaussian(): GaussianStats {
    const n = this.count;
    const d = this.dim;
    if (n < 2) throw new Error(`FeatureMoments.toGaussian: need at least 2 feature vectors, got ${n}`);
    const mean = Float64Array.from(this.sum, (v) => v / n);
    const covariance = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = i; j < d; j++) {
        const c = (this.sumOuter[i * d + j] - n * mean[i] * mean[j]) / (n - 1);
        covariance[i * d + j] = c;
        covariance[j * d + i] = c;
      }
    }
    return { dim: d, mean, covariance, count: n };
  }
}
