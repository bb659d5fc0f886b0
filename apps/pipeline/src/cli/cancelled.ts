/**
 * Thrown when work stops because it was cancelled (Ctrl-C / an aborted signal), not because it failed. Commands
 * made with `defineCommand` turn it into exit code 130 and `"status": "cancelled"`, as an interrupted graph does.
 */
export class CancelledError extends Error {
  constructor(message = 'cancelled (interrupted)') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Throws a CancelledError when `signal` is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new CancelledError(`${what}: cancelled (interrupted)`);
}
