import { RunFolderError } from '@vqrae/graph';

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

/** The run folder refusal worded as the CLI words it (`--out …`), as a UsageError (exit 2). */
export function usageErrorForRunFolder(error: RunFolderError): UsageError {
  const { reason, dir, at, command, owner } = error.details;
  if (reason === 'file') return new UsageError(`--out ${dir} is a file; expected a folder (the run folder)`);
  if (reason === 'below-file') return new UsageError(`--out ${dir}: ${at} is a file, not a folder`);
  return new UsageError(`--out ${dir} is a run folder of '${owner ?? '?'}'; '${command}' needs its own folder (choose another --out)`);
}

/** Runs `work`; a RunFolderError it throws becomes the CLI's UsageError (see {@link usageErrorForRunFolder}). */
export function withRunFolderUsage<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw error instanceof RunFolderError ? usageErrorForRunFolder(error) : error;
  }
}
