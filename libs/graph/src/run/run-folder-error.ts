/** Why a run folder target was refused. */
export type RunFolderRefusal = 'file' | 'below-file' | 'owned';

/** The facts of a refused run folder target, for callers (the CLI) that word the message their own way. */
export interface RunFolderErrorDetails {
  readonly reason: RunFolderRefusal;
  /** The requested run folder. */
  readonly dir: string;
  /** The path that is in the way: `dir` itself, or a file above it ('below-file'). */
  readonly at: string;
  /** The command that asked for the folder. */
  readonly command: string;
  /** The command whose records the folder holds ('owned'). */
  readonly owner?: string;
}

/**
 * Thrown before anything is created when a run folder target is a file, lies below a file, or already holds the
 * records of another command. Nothing was written.
 */
export class RunFolderError extends Error {
  readonly details: RunFolderErrorDetails;

  constructor(details: RunFolderErrorDetails) {
    super(describeRefusal(details));
    this.name = 'RunFolderError';
    this.details = details;
  }
}

function describeRefusal({ reason, dir, at, command, owner }: RunFolderErrorDetails): string {
  if (reason === 'file') return `run folder ${dir} is a file; expected a folder`;
  if (reason === 'below-file') return `run folder ${dir}: ${at} is a file, not a folder`;
  return `run folder ${dir} belongs to '${owner ?? '?'}'; '${command}' needs its own folder`;
}
