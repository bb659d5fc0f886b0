import path from 'node:path';
import { test } from 'node:test';
import { consoleLogger } from '@vqrae/graph';
import { runTrainJob } from '../../src/train/train-job.js';
import { tinyJob, writeSyntheticShards } from './fixtures.js';
import { readStepLog } from '../../src/train/step-log.js';

test('scratch', async () => {
  const root = '/tmp/trainh/scratch';
  const data = await writeSyntheticShards(path.join(root, 'shards'), 'train', 24, 10);
  const held = await writeSyntheticShards(path.join(root, 'shards'), 'val', 8, 8, 1000);
  const r = await runTrainJob(tinyJob({ data, evalData: held, out: path.join(root, 'run' + Date.now()), steps: 30, checkpointEvery: 10, evalEvery: 10, previewEvery: 10 }), consoleLogger);
  console.log(JSON.stringify({ ...r, summary: undefined }, null, 1));
  const rows = await readStepLog(path.join(r.runDir, 'log'));
  console.log(rows.slice(0, 3));
});
