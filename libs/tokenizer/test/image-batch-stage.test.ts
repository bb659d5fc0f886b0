import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectSink, fromIterable, Graph } from '@vqrae/graph';
import { imageBatches, type SampleBatchRecord } from '../src/index.js';

interface Sample { readonly meta: { key: string; shard: string; index: number }; readonly image: { data: Uint8Array; width: number; height: number; channels: 3 } }
const sample = (shard: string, index: number): Sample => ({
  meta: { key: `${shard}-${index}`, shard, index },
  image: { data: new Uint8Array(3), width: 1, height: 1, channels: 3 },
});

test('imageBatches: batches of `size` that never cross a shard; records keep metas, images and samples in order', async () => {
  const samples = [...[0, 1, 2, 3, 4].map((i) => sample('a', i)), sample('b', 0), ...[0, 1].map((i) => sample('c', i))];
  const run = await Graph.from(fromIterable('samples', samples)).pipe(imageBatches<Sample>({ size: 2 })).to(collectSink<SampleBatchRecord<Sample>>('out')).run();
  const batches = run.sinks[0]!.result as SampleBatchRecord<Sample>[];
  assert.deepEqual(batches.map((b) => b.metas.map((m) => m.key)), [['a-0', 'a-1'], ['a-2', 'a-3'], ['a-4'], ['b-0'], ['c-0', 'c-1']]);
  for (const b of batches) {
    assert.equal(b.images.length, b.metas.length);
    assert.deepEqual(b.samples.map((s) => s.meta), b.metas);
  }
  const stage = run.stages.find((s) => s.name === 'batch')!;
  assert.equal(stage.seen, 8);
  assert.equal(stage.emitted, 8);
  assert.equal(imageBatches({ size: 3, name: 'batch-2' }).name, 'batch-2');
});
