/**
 * The one resolver of every `--checkpoint` / `--from` / `--init` value: an existing path wins; otherwise the name of
 * a shipped checkpoint (`vqrae info` lists them), whose sha256 is verified against its card; otherwise a usage error
 * listing the shipped names.
 */
import fs from 'node:fs';
import { findShippedCheckpoint, listShippedCheckpoints, shippedCheckpointsDir, verifyShippedCheckpoint, type ShippedCheckpoint } from '../checkpoints/shipped-registry.js';
import { UsageError } from './errors.js';

/** What a checkpoint argument resolved to. */
export interface ResolvedCheckpoint {
  /** The path to open (as given, or the shipped file's absolute path). */
  readonly file: string;
  /** The shipped checkpoint it named, or null for a path. */
  readonly shipped: ShippedCheckpoint | null;
}

/**
 * Resolves `value` given to `flag` (e.g. `--checkpoint`). A shipped checkpoint whose file does not match its card's
 * sha256 is refused (UsageError naming both digests).
 */
export function resolveCheckpointArgument(value: string, flag: string, dir = shippedCheckpointsDir()): ResolvedCheckpoint {
  if (fs.existsSync(value)) return { file: value, shipped: null };
  const entry = findShippedCheckpoint(value, dir);
  if (entry === null) {
    const names = listShippedCheckpoints(dir).map((c) => c.name);
    throw new UsageError(
      `${flag}: '${value}' is neither an existing file nor a shipped checkpoint (shipped: ${names.length > 0 ? names.join(', ') : 'none'}; see vqrae info)`,
    );
  }
  try {
    verifyShippedCheckpoint(entry);
  } catch (error) {
    throw new UsageError(`${flag} ${value}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { file: entry.file, shipped: entry };
}
