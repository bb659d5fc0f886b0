import fs from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../cli/errors.js';
import { trainDefaults, type TrainJobConfig } from '@vqrae/train';

/**
 * Settings that steer one invocation only: a resume never inherits them (an inherited `--stop-after 160` would stop
 * the resumed run at once); they apply when given again.
 */
const PER_INVOCATION: ReadonlySet<keyof TrainJobConfig> = new Set(['maxMinutes', 'stopAfterStep']);

/**
 * The resolved config a training checkpoint was written with (`state.json`), completed with the defaults of its
 * preset and stage for keys added since. Throws a UsageError naming the file when it holds no usable config.
 */
export async function readSavedTrainConfig(checkpointDir: string): Promise<TrainJobConfig> {
  const file = path.join(checkpointDir, 'state.json');
  let state: { config?: unknown };
  try {
    state = JSON.parse(await fs.readFile(file, 'utf8')) as { config?: unknown };
  } catch (error) {
    throw new UsageError(`train --resume: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const saved = state.config as Partial<TrainJobConfig> | undefined;
  if (!saved || typeof saved !== 'object' || typeof saved.data !== 'string' || typeof saved.preset !== 'string' || (saved.stage !== 1 && saved.stage !== 2)) {
    throw new UsageError(`train --resume: ${file} holds no training config (preset, stage, data); pass the settings again or start a new run`);
  }
  // A run saved before --decode-mode existed decoded every image in full: it resumes as `exact`.
  return { ...trainDefaults(saved.preset, saved.stage), decodeMode: 'exact', ...saved } as TrainJobConfig;
}

/** A resume's config and the settings its flags changed (`steps 8 → 12`), for the log. */
export interface ResumedConfig {
  readonly config: TrainJobConfig;
  readonly changes: readonly string[];
}

/**
 * The config of a resumed run: every setting from `saved` (the checkpoint's run) except those a flag or config file
 * set explicitly (`overrides`), with `out`/`resume` of this invocation. Per-invocation limits (`--stop-after`,
 * `--max-minutes`) are not inherited. The model is the checkpoint's, so `--preset`/`--stage` may only repeat it.
 */
export function resumedTrainConfig(saved: TrainJobConfig, overrides: Partial<TrainJobConfig>, out: string): ResumedConfig {
  for (const key of ['preset', 'stage'] as const) {
    if (overrides[key] !== undefined && overrides[key] !== saved[key]) {
      throw new UsageError(`train --resume: the run in ${out} is ${saved.preset} stage ${saved.stage}; --${key} ${String(overrides[key])} cannot resume it (start a new --out)`);
    }
  }
  const inherited = Object.fromEntries(Object.entries(saved).filter(([key]) => !PER_INVOCATION.has(key as keyof TrainJobConfig)));
  const merged: TrainJobConfig = { ...(inherited as unknown as TrainJobConfig), maxMinutes: null, stopAfterStep: null, ...overrides, out, resume: true };
  // A shorter schedule keeps its warm-up inside it.
  const config: TrainJobConfig = { ...merged, warmupSteps: Math.min(merged.warmupSteps, merged.steps) };
  const changes = (Object.keys(config) as (keyof TrainJobConfig)[])
    .filter((key) => key !== 'out' && key !== 'resume' && !PER_INVOCATION.has(key) && JSON.stringify(saved[key]) !== JSON.stringify(config[key]))
    .map((key) => `${key} ${JSON.stringify(saved[key])} → ${JSON.stringify(config[key])}`);
  return { config, changes };
}
