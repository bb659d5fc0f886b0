/**
 * The libraries' engine openers with the CLI's options and errors: the resolved `--engine`/`--ep`/`--threads` become
 * the request, an `EngineChoiceError` comes out as the CLI's `UsageError` (same message, exit 2).
 */
import { EngineChoiceError, type EngineChoiceOptions } from '@vqrae/tokenizer';
import { UsageError } from '../cli/errors.js';
import type { EngineOptions } from './engine-options.js';

/** The engine request of the command's options (the option parser already checked both against their choices). */
export function engineRequestOf(options: EngineOptions): EngineChoiceOptions {
  return { engine: options.engine as EngineChoiceOptions['engine'], ep: options.ep as EngineChoiceOptions['ep'], threads: options.threads };
}

/** A request the libraries cannot honour (EngineChoiceError) is a UsageError; any other error stays as it is. */
export function engineUsage(error: unknown): unknown {
  return error instanceof EngineChoiceError ? new UsageError(error.message) : error;
}
