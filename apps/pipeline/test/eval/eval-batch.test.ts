import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createStageContext, type SampleMeta } from '@vqrae/graph';
import { shardBatchStage, type EvalInputBatch, type EvalSample } from '../../src/eval/eval-batch.js';

const sample = (shard: string, index: number): EvalSample => {
  const meta: SampleMeta = { key: `${shard}-${index}`, shard, index };
  const image = { data: new Uint8Array(3), width: 1, height: 1, channels: 3 as const };
  return { meta, input: image, reference: image };
};

test('shardBatchStage: batches of at most N that never cross a shard, every sample once, in order', async () => {
  const input = [...[0, 1, 2].map((i) => sample('a', i)), ...[0, 1, 2, 3, 4].map((i) => sample('b', i)), sample('c', 0)];
  const ctx = createStageContext({ name: 'batch' });
  const batches: EvalInputBatch[] = [];
  for await (const b of shardBatchStage(2).run((async function* () { yield* input; })(), ctx)) batches.push(b);
  assert.deepEqual(batches.map((b) => b.metas.map((m) => m.key)), [['a-0', 'a-1'], ['a-2'], ['b-0', 'b-1'], ['b-2', 'b-3'], ['b-4'], ['c-0']]);
  assert.equal(ctx.counters.emitted, input.length);
  assert.throws(() => shardBatchStage(0), /positive integer/);
});
