/** "Start or resume a run in this folder with these settings": the one call behind `vqrae train`. */
import path from 'node:path';
import { resolveCheckpointDir } from '../checkpoint-state.js';
import type { TrainJobConfig } from '../job-config.js';
import { freshTrainConfig } from './fresh-config.js';
import { readSavedTrainConfig, resumedTrainConfig, resumeOverrides } from './resume-config.js';
import { TrainSettingsError, type GivenSettings, type TrainSettings } from './train-settings.js';

/** Where the config of a run came from. */
export interface TrainRunConfig {
  readonly config: TrainJobConfig;
  /** On a resume: the checkpoint whose saved settings it continues and what the stated settings changed; else null. */
  readonly resumed: { readonly checkpointDir: string; readonly changes: readonly string[] } | null;
}

/**
 * The config of a training run into `out`. With `resume` and a checkpoint in `out`: the saved run's settings, with
 * the stated ones (`given`, default: the defined ones) overriding them; otherwise a new run
 * ({@link freshTrainConfig}). Refuses (with {@link TrainSettingsError}) a new run into a folder with checkpoints,
 * `init` together with `resume` or `from`, and a resume without a checkpoint or `data`. Nothing is written.
 */
export async function trainConfigFor(settings: TrainSettings, out: string, options: { readonly given?: GivenSettings } = {}): Promise<TrainRunConfig> {
  const resume = settings.resume ?? false;
  if (settings.init !== undefined && (resume || settings.from !== undefined)) {
    throw new TrainSettingsError('train --init starts a new run from weights; it cannot be combined with --resume or --from');
  }
  const latest = await resolveCheckpointDir(path.join(out, 'checkpoints'));
  if (!resume && latest !== null) throw new TrainSettingsError(`train: ${out} already has checkpoints; pass --resume to continue it or choose another --out`);
  if (resume && latest !== null) {
    const saved = await readSavedTrainConfig(latest);
    const resumed = resumedTrainConfig(saved, resumeOverrides(settings, saved, options), out);
    return { config: resumed.config, resumed: { checkpointDir: latest, changes: resumed.changes } };
  }
  if (resume && settings.data === undefined) throw new TrainSettingsError(`train --resume: ${out} has no checkpoint to resume; pass --data to start a new run there`);
  return { config: await freshTrainConfig(settings, out, options), resumed: null };
}
