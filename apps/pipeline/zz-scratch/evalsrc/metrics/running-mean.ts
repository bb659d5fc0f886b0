/** A mergeable mean of per-image values (sum and count in float64). Merge = add, so shards and ranks combine exactly. */
export class RunningMean {
  private total = 0;
  private n = 0;

  /** Adds one value (e.g. one image's PSNR). Non-finite values are rejected so a mean never turns NaN silently. */
  add(value: number): void {
    if (!Number.isFinite(value)) throw new Error(`RunningMean.add: value must be finite, got ${value}`);
    this.total += value;
    this.n += 1;
  }

  /** Adds another accumulator's values into this one. */
  merge(other: RunningMean): void {
    this.total += other.total;
    this.n += other.n;
  }

  /** Number of values added. */
  get count(): number {
    return this.n;
  }

  /** Sum of the values added. */
  get sum(): number {
    return this.total;
  }

  /** The mean, or NaN when nothing was added. */
  get mean(): number {
    return this.n === 0 ? Number.NaN : this.total / this.n;
  }
}
