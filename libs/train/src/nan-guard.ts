/** Thrown when a loss term or the gradient norm is NaN/±Inf: names the step (1-based, as in the log), the term and the batch keys. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly term: string,
    readonly value: number,
    readonly keys: readonly string[],
  ) {
    const shown = keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, … (${keys.length} samples)` : keys.join(', ');
    super(`train: non-finite ${term} = ${value} at step ${step} (batch keys: ${shown}); stopping before the update`);
    this.name = 'NonFiniteLossError';
  }
}

/** Throws NonFiniteLossError for the first non-finite value in `values` (checked in insertion order). */
export function assertFinite(
  values: Readonly<Record<string, number>>,
  step: number,
  keys: readonly string[],
): void {
  for (const [term, value] of Object.entries(values)) {
    if (!Number.isFinite(value)) throw new NonFiniteLossError(step, term, value, keys);
  }
}
