import type { TrainJobConfig } from '../src/job-config.js';
import { trainDefaults } from '../src/job-config.js';

export { tempDir, writeSyntheticShards } from '../../../tools/testing/synthetic-shards.js';

/** A tiny-preset job config for tests (small steps, frequent checkpoints, no evaluation unless asked). */
export function tinyJob(overrides: Partial<TrainJobConfig> & Pick<TrainJobConfig, 'data' | 'out'>): TrainJobConfig {
  return {
    ...trainDefaults('tiny', overrides.stage ?? 1),
    preset: 'tiny',
    stage: 1,
    evalData: null,
    from: null,
    resume: false,
    steps: 8,
    batch: 4,
    warmupSteps: 2,
    checkpointEvery: 4,
    previewEvery: 0,
    evalEvery: 0,
    shuffleBuffer: 8,
    ...overrides,
  };
}
