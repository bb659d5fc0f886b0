/**
 * Every `--checkpoint` / `--from` / `--init` value goes through `@vqrae/tokenizer`'s resolver (an existing path wins,
 * else a shipped name, sha256-verified); its refusals become usage errors naming the flag (exit 2).
 */
import { locateCheckpoint, shippedCheckpointsDir, ShippedCheckpointError, type ResolvedCheckpoint } from '@vqrae/tokenizer';
import { UsageError } from './errors.js';

/** Resolves `value` given to `flag` (e.g. `--checkpoint`); an unknown name or a corrupted shipped file is a UsageError. */
export function resolveCheckpointArgument(value: string, flag: string, dir = shippedCheckpointsDir()): ResolvedCheckpoint {
  try {
    return locateCheckpoint(value, dir);
  } catch (error) {
    if (!(error instanceof ShippedCheckpointError) || error.problem === 'bad-card') throw error;
    if (error.problem === 'unknown-name') {
      const listed = error.names.length > 0 ? error.names.join(', ') : 'none';
      throw new UsageError(`${flag}: '${value}' is neither an existing file nor a shipped checkpoint (shipped: ${listed}; see vqrae info)`);
    }
    throw new UsageError(`${flag} ${value}: ${error.message}`);
  }
}
