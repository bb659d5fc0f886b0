/**
 * A mistake in how the CLI was called (bad option value, bad config file, missing file). `main` prints its message
 * as `vqrae: <message>` and exits with code 2, without a stack trace.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
