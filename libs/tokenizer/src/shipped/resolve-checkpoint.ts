/**
 * The one resolver of a checkpoint argument (the CLI's `--checkpoint` / `--from` / `--init`, or a graph file's
 * `resolveCheckpoint('small-cpu')`): an existing path wins; otherwise the name of a shipped checkpoint, whose sha256
 * is verified against its card; otherwise a {@link ShippedCheckpointError} listing the shipped names.
 */
import fs from 'node:fs';
import { ShippedCheckpointError } from './shipped-error.js';
import { findShippedCheckpoint, listShippedCheckpoints, shippedCheckpointsDir, verifyShippedCheckpoint, type ShippedCheckpoint } from './shipped-registry.js';

/** What a checkpoint argument resolved to. */
export interface ResolvedCheckpoint {
  /** The path to open (as given, or the shipped file's absolute path). */
  readonly file: string;
  /** The shipped checkpoint it named, or null for a path. */
  readonly shipped: ShippedCheckpoint | null;
}

/**
 * Resolves `value` (a path or a shipped name) against the registry in `dir` (default {@link shippedCheckpointsDir}).
 * A shipped checkpoint whose file is missing or does not match its card's sha256 is refused.
 * @throws ShippedCheckpointError `unknown-name` (with `names`), `missing-file` or `sha256-mismatch`.
 */
export function locateCheckpoint(value: string, dir = shippedCheckpointsDir()): ResolvedCheckpoint {
  if (fs.existsSync(value)) return { file: value, shipped: null };
  const entry = findShippedCheckpoint(value, dir);
  if (entry === null) {
    const names = listShippedCheckpoints(dir).map((c) => c.name);
    const listed = names.length > 0 ? names.join(', ') : 'none';
    throw new ShippedCheckpointError('unknown-name', value, `'${value}' is neither an existing file nor a shipped checkpoint (shipped: ${listed})`, names);
  }
  verifyShippedCheckpoint(entry);
  return { file: entry.file, shipped: entry };
}

/**
 * The file to open for `value`: the path itself if it exists, else the verified weights of the shipped checkpoint
 * of that name. One call for a graph file: `await loadCheckpoint(resolveCheckpoint('small-cpu'))`.
 * @throws ShippedCheckpointError as {@link locateCheckpoint}.
 */
export function resolveCheckpoint(value: string, dir = shippedCheckpointsDir()): string {
  return locateCheckpoint(value, dir).file;
}
