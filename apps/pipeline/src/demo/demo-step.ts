import type { CommandContext } from '../cli/index.js';
import type { DEMO_OPTIONS } from './options.js';

/** What every demo step returns: a status, the one line printed for it, the files it wrote (relative to the run folder). */
export interface DemoStepResult {
  readonly status: 'ok' | 'failed' | 'cancelled';
  readonly line: string;
  readonly files: readonly string[];
  /** Anything later steps may build on (e.g. the decoded crops), and that summary.json records (kept small). */
  readonly data?: Record<string, unknown>;
}

export interface DemoContext extends CommandContext<typeof DEMO_OPTIONS> {
  /** Results of the steps that already ran, by step name. */
  readonly previous: ReadonlyMap<string, DemoStepResult>;
}

/**
 * One step of `vqrae demo` (`npm start`). Steps run in the order of DEMO_STEPS; each later issue adds its step
 * (data shards, tokenizer round trip, training, evaluation) so that `npm ci && npm start` shows the whole toolkit.
 */
export interface DemoStep {
  readonly name: string;
  readonly description: string;
  run(ctx: DemoContext): Promise<DemoStepResult>;
}
