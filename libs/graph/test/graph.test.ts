import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Graph,
  asyncMapStage,
  batchStage,
  collectSink,
  filterStage,
  flatMapStage,
  forEachSink,
  fromAsyncIterable,
  fromIterable,
  mapStage,
  teeSinks,
  type Stage,
} from '../src/index.js';
import { assertBalanced, samples, seededRandom, sleep, type TestSample } from './helpers.js';

describe('Graph', () => {
  test('describe() renders source → stages → sink, and fan-out in braces', () => {
    const shards = fromIterable('shards', [] as TestSample[], { describe: 'shards(eval-{000..003}.tar)' });
    const decode = mapStage('decode', (s: TestSample) => s);
    const resize = mapStage('resize', (s: TestSample) => s, { describe: 'resize(256, center)' });
    const one = Graph.from(shards).pipe(decode).pipe(resize).to(collectSink('previews', { describe: 'previews(out/)' }));
    assert.equal(one.describe(), 'shards(eval-{000..003}.tar) → decode → resize(256, center) → previews(out/)');
    const fan = Graph.from(shards).pipe(decode).to(collectSink('psnr'), collectSink('ssim'), collectSink('fid'));
    assert.equal(fan.describe(), 'shards(eval-{000..003}.tar) → decode → { psnr | ssim | fid }');
  });

  test('rejects duplicate names and a graph without sinks', () => {
    const src = fromIterable('src', [1]);
    assert.throws(() => Graph.from(src).pipe(mapStage('a', (v: number) => v)).pipe(mapStage('a', (v: number) => v)).to(collectSink('out')), /duplicate name 'a'/);
    assert.throws(() => Graph.from(src).to(), /at least one sink/);
  });

  test('runs a mixed pipeline: order kept under seeded async delays, counters balance, summary complete', async () => {
    const random = seededRandom(7);
    const delays = Array.from({ length: 40 }, () => Math.floor(random() * 8));
    const out = collectSink<TestSample[]>('out');
    const graph = Graph.from(fromIterable('src', samples(40)))
      .pipe(asyncMapStage('jitter', async (s: TestSample) => (await sleep(delays[s.value]), s), { concurrency: 3 }))
      .pipe(filterStage('not-seven', (s: TestSample) => s.value % 7 !== 0))
      .pipe(flatMapStage('same', (s: TestSample) => [s]))
      .pipe(batchStage<TestSample>('batch', { size: 8 }))
      .to(out);
    const summary = await graph.run();
    const values = out.items.flat().map((s) => s.value);
    assert.deepEqual(values, samples(40).map((s) => s.value).filter((v) => v % 7 !== 0));
    assert.equal(summary.status, 'ok');
    assert.equal(summary.cancelled, false);
    assert.equal(summary.sourceItems, 40);
    assert.deepEqual(summary.stages.map((s) => [s.name, s.seen, s.emitted, s.dropped, s.outputs]), [
      ['jitter', 40, 40, 0, 40],
      ['not-seven', 40, 34, 6, 34],
      ['same', 34, 34, 0, 34],
      ['batch', 34, 34, 0, 5],
    ]);
    summary.stages.forEach(assertBalanced);
    assert.deepEqual(summary.sinks.map((s) => [s.name, s.written]), [['out', 5]]);
    assert.equal(summary.sinks[0].result, out.items);
    assert.ok(summary.wallMs > 0);
  });

  test('fans out to 3 sinks: each sees every item in order; the graph can run again (re-openable source)', async () => {
    const sinks = [collectSink<number>('a'), collectSink<number>('b'), collectSink<number>('c')];
    let slowWrites = 0;
    const slow = forEachSink<number>('slow', async () => {
      await sleep(1);
      slowWrites += 1;
    });
    const graph = Graph.from(fromIterable('src', () => Array.from({ length: 50 }, (_, i) => i)))
      .pipe(asyncMapStage('id', async (v: number) => v, { concurrency: 2 }))
      .to(sinks[0], sinks[1], sinks[2], slow);
    const summary = await graph.run();
    for (const sink of sinks) assert.deepEqual(sink.items, Array.from({ length: 50 }, (_, i) => i));
    assert.equal(slowWrites, 50);
    assert.deepEqual(summary.sinks.map((s) => s.written), [50, 50, 50, 50]);
    await graph.run();
    assert.equal(sinks[0].items.length, 100);
  });

  test('teeSinks writes every item to each inner sink and returns their results by name', async () => {
    const a = collectSink<number>('a');
    const b = collectSink<number>('b');
    const tee = teeSinks('both', [a, b]);
    const summary = await Graph.from(fromIterable('src', [1, 2, 3])).to(tee).run();
    assert.deepEqual(summary.sinks[0].result, { a: [1, 2, 3], b: [1, 2, 3] });
    assert.equal(tee.describe(), '{ a | b }');
    assert.throws(() => teeSinks('x', [a, a]), /duplicate sink name 'a'/);
  });

  test('runs a custom stage that only implements the async-iterable form (counts seen/outputs for it)', async () => {
    const pairs: Stage<number, number> = {
      name: 'pair-sums',
      onError: 'throw',
      describe: () => 'pair-sums',
      async *run(input, ctx) {
        let pending: number | undefined;
        for await (const v of input) {
          if (pending === undefined) pending = v;
          else {
            ctx.counters.emitted += 2;
            yield pending + v;
            pending = undefined;
          }
        }
        if (pending !== undefined) ctx.counters.dropped += 1;
      },
    };
    const out = collectSink<number>('out');
    const summary = await Graph.from(fromAsyncIterable('src', async function* () { yield* [1, 2, 3, 4, 5]; })).pipe(pairs).to(out).run();
    assert.deepEqual(out.items, [3, 7]);
    assert.deepEqual([summary.stages[0].seen, summary.stages[0].outputs], [5, 2]);
    assertBalanced(summary.stages[0]);
  });
});
