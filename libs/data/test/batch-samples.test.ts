import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStageContext, type SampleMeta } from '@vqrae/graph';
import { batchSamples, cropImage, cropWithReference, reconstructionOutputs, type RgbImage, type HostImageBatch } from '../src/index.js';

const image = (width: number, height: number, fill = 0): RgbImage => ({ data: new Uint8Array(width * height * 3).fill(fill), width, height, channels: 3 });
const sample = (shard: string, index: number, reference?: RgbImage) => ({
  meta: { key: `${shard}-${index}`, shard, index } satisfies SampleMeta,
  image: image(1, 1, index),
  ...(reference ? { reference } : {}),
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('batchSamples: batches of at most N, within a shard on request, every sample once, in order; references ride along', async () => {
  const input = [...[0, 1, 2].map((i) => sample('a', i)), ...[0, 1, 2, 3, 4].map((i) => sample('b', i)), sample('c', 0)];
  const ctx = createStageContext({ name: 'batch' });
  const within = await collect(batchSamples({ size: 2, withinShard: true }).run((async function* () { yield* input; })(), ctx));
  assert.deepEqual(within.map((b) => b.metas.map((m) => m.key)), [['a-0', 'a-1'], ['a-2'], ['b-0', 'b-1'], ['b-2', 'b-3'], ['b-4'], ['c-0']]);
  assert.equal(ctx.counters.emitted, input.length);
  const across = await collect(batchSamples({ size: 4, name: 'batch-2' }).run((async function* () { yield* input; })(), createStageContext({ name: 'batch-2' })));
  assert.deepEqual(across.map((b) => b.metas.length), [4, 4, 1]);
  assert.equal(batchSamples({ size: 4, withinShard: true }).describe(), 'batch(4, within shard)');
  assert.equal(batchSamples({ size: 4, name: 'pairs' }).name, 'pairs');
  assert.ok(within.every((b) => b.references === undefined), 'no references unless the samples carry them');

  const ref = image(2, 2, 9);
  const [withRefs] = await collect(batchSamples<ReturnType<typeof sample>>({ size: 2 }).run((async function* () { yield sample('a', 0, ref); yield sample('a', 1, ref); })(), createStageContext({ name: 'batch' })));
  assert.deepEqual((withRefs as HostImageBatch).references, [ref.data, ref.data]);
  assert.throws(() => batchSamples({ size: 0 }), /positive integer/);
});

test('cropWithReference: the model crop and the reference crop of one decoded image, equal to cropImage at each size', async () => {
  const src: RgbImage = { data: Uint8Array.from({ length: 20 * 12 * 3 }, (_, i) => (i * 7) % 256), width: 20, height: 12, channels: 3 };
  const meta: SampleMeta = { key: 'x', shard: 's', index: 0 };
  const stage = cropWithReference({ protocol: 'adm', inputSize: 4, referenceSize: 8 });
  assert.equal(stage.describe(), 'adm(4 in, 8 reference)');
  const [out] = await collect(stage.run((async function* () { yield { meta, image: src }; })(), createStageContext({ name: 'crop' })));
  assert.deepEqual(out!.image, await cropImage(src, { protocol: 'adm', size: 4 }, 'x'));
  assert.deepEqual(out!.reference, await cropImage(src, { protocol: 'adm', size: 8 }, 'x'));
  const same = cropWithReference({ protocol: 'center', inputSize: 4, name: 'crop-2' });
  assert.equal(same.name, 'crop-2');
  const [one] = await collect(same.run((async function* () { yield { meta, image: src }; })(), createStageContext({ name: 'crop-2' })));
  assert.equal(one!.reference, one!.image, 'one crop when the sizes agree');
});

test('reconstructionOutputs: original | reconstruction side by side row by row, or the reconstruction alone', () => {
  const input = image(2, 2, 10);
  const decoded = new Uint8Array(2 * 2 * 3).fill(200);
  const batch = { metas: [{ key: 'k', shard: 's', index: 0 }], images: [input], outputSize: 2, decoded: [decoded] };
  const [pair] = reconstructionOutputs(batch, true);
  assert.equal(pair!.width, 4);
  assert.deepEqual([...pair!.rgb.subarray(0, 12)], [...Array(6).fill(10), ...Array(6).fill(200)]);
  const [alone] = reconstructionOutputs(batch, false);
  assert.equal(alone!.rgb, decoded);
});
