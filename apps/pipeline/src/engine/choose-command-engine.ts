/**
 * The library's engine rule ({@link chooseEngine} of `@vqrae/tokenizer`) with the CLI's options and errors: the
 * resolved `--engine`/`--ep`/`--threads` go in, an `EngineChoiceError` comes out as the CLI's `UsageError` (same
 * message, exit 2).
 */
import { EngineChoiceError, chooseEngine, type ChosenEngine, type EngineChoiceOptions, type EngineOpeners } from '@vqrae/tokenizer';
import { UsageError } from '../cli/errors.js';
import type { EngineOptions } from './engine-options.js';

/** Opens a network on the engine the command's options ask for; a request that cannot be honoured is a UsageError. */
export async function chooseCommandEngine<T, M>(options: EngineOptions, openers: EngineOpeners<T, M>): Promise<ChosenEngine<T>> {
  // The option parser already checked both against their choices (ENGINE_KINDS, EXECUTION_PROVIDERS).
  const request: EngineChoiceOptions = {
    engine: options.engine as EngineChoiceOptions['engine'],
    ep: options.ep as EngineChoiceOptions['ep'],
    threads: options.threads,
  };
  try {
    return await chooseEngine(request, openers);
  } catch (error) {
    if (error instanceof EngineChoiceError) throw new UsageError(error.message);
    throw error;
  }
}
