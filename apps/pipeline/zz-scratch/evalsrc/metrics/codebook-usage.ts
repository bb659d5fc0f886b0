/**
 * Codebook usage over a whole evaluation pass (model-spec §4.6): per-code assignment counts, mergeable across
 * batches, shards and ranks (merge = add). Counts are float64 (exact integers up to 2^53 assignments).
 */

/** Summary of a pass: utilisation U = used/k, perplexity exp(−Σ p ln p), dead codes = k − used. */
export interface CodebookSummary {
  readonly codebookSize: number;
  /** Total assignments counted (tokens). */
  readonly tokens: number;
  readonly usedCodes: number;
  readonly deadCodes: number;
  /** usedCodes / codebookSize, in [0, 1]. */
  readonly utilization: number;
  /** exp(entropy) of the usage distribution, in [1, usedCodes]; NaN before any token. */
  readonly perplexity: number;
  /** Normalised entropy ln(PPL)/ln(k) in [0, 1] (1 = uniform over all codes). */
  readonly normalizedEntropy: number;
}

/** One bar of a usage histogram: codes [startCode, endCode) and their summed assignments. */
export interface UsageBin {
  readonly startCode: number;
  readonly endCode: number;
  readonly count: number;
}

/** Accumulates code-index counts. */
export class CodebookUsage {
  /** Assignments per code [k]. */
  readonly counts: Float64Array;

  constructor(readonly codebookSize: number) {
    if (!Number.isInteger(codebookSize) || codebookSize <= 0) throw new Error(`CodebookUsage: codebookSize must be a positive integer, got ${codebookSize}`);
    this.counts = new Float64Array(codebookSize);
  }

  /** Counts a batch of code indices (any shape, flattened). Out-of-range or non-integer indices throw (nothing counted). */
  add(indices: ArrayLike<number>): void {
    const k = this.codebookSize;
    for (let i = 0; i < indices.length; i++) {
      const code = indices[i];
      if (!Number.isInteger(code) || code < 0 || code >= k) {
        throw new Error(`CodebookUsage.add: index ${code} at position ${i} is outside [0, ${k})`);
      }
    }
    for (let i = 0; i < indices.length; i++) this.counts[indices[i]] += 1;
  }

  /** Adds another accumulator's counts (other shard or rank). */
  merge(other: CodebookUsage): void {
    if (other.codebookSize !== this.codebookSize) {
      throw new Error(`CodebookUsage.merge: codebook sizes differ (${this.codebookSize} vs ${other.codebookSize})`);
    }
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += other.counts[i];
  }

  /** Utilisation, perplexity and dead-code count of everything counted so far. */
  summary(): CodebookSummary {
    const k = this.codebookSize;
    let tokens = 0;
    let used = 0;
    for (const c of this.counts) {
      tokens += c;
      if (c > 0) used += 1;
    }
    let entropy = 0;
    if (tokens > 0) {
      for (const c of this.counts) if (c > 0) entropy -= (c / tokens) * Math.log(c / tokens);
    }
    const perplexity = tokens > 0 ? Math.exp(entropy) : Number.NaN;
    return {
      codebookSize: k,
      tokens,
      usedCodes: used,
      deadCodes: k - used,
      utilization: used / k,
      perplexity,
      normalizedEntropy: tokens > 0 ? (k > 1 ? entropy / Math.log(k) : 1) : Number.NaN,
    };
  }

  /** Usage histogram in `bins` equal ranges of code indices (the last bin may be narrower). */
  histogram(bins: number): UsageBin[] {
    const k = this.codebookSize;
    if (!Number.isInteger(bins) || bins <= 0) throw new Error(`CodebookUsage.histogram: bins must be a positive integer, got ${bins}`);
    const width = Math.ceil(k / Math.min(bins, k));
    const out: UsageBin[] = [];
    for (let start = 0; start < k; start += width) {
      const end = Math.min(start + width, k);
      let count = 0;
      for (let i = start; i < end; i++) count += this.counts[i];
      out.push({ startCode: start, endCode: end, count });
    }
    return out;
  }

  /** Codes sorted by descending count (ties by index): the rank-frequency view of usage. */
  rankedCounts(): Float64Array {
    return Float64Array.from(this.counts).sort().reverse();
  }
}
