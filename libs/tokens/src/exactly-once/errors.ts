/**
 * Errors of the exactly-once dump machinery, as classes a CLI can map to its exit codes (the `vqrae` app: refused → 2,
 * cancelled → 130).
 */

/** The dump was refused before touching the folder: a live lock holder, another world size, a different job. */
export class DumpRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpRefusedError';
  }
}

/** The dump stopped because its signal was aborted; finished shards are recorded and a rerun resumes. */
export class DumpCancelledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DumpCancelledError';
  }
}
