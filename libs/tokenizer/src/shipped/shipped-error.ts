/** Why a checkpoint name or a shipped checkpoint was refused. */
export type ShippedCheckpointProblem =
  /** `value` is neither an existing file nor the name of a shipped checkpoint (`names` lists the shipped ones). */
  | 'unknown-name'
  /** A card is not valid JSON or lacks a field. */
  | 'bad-card'
  /** The weights a card names are missing. */
  | 'missing-file'
  /** The weights do not match their card's sha256. */
  | 'sha256-mismatch';

/**
 * The one error type of the shipped-checkpoint registry: `problem` says which, `value` what was asked for, `names`
 * (for `unknown-name`) the shipped names, so a caller (e.g. the CLI) can word its own message around its flag.
 */
export class ShippedCheckpointError extends Error {
  constructor(
    readonly problem: ShippedCheckpointProblem,
    /** The checkpoint argument or card path the error is about. */
    readonly value: string,
    message: string,
    /** The shipped names, for `unknown-name`. */
    readonly names: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ShippedCheckpointError';
  }
}
