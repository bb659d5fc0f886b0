import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  asyncMapStage,
  batchStage,
  createStageContext,
  filterStage,
  highlandFormOf,
  flatMapStage,
  mapStage,
  type StageContext,
} from '../src/index.js';
import { assertBalanced, asyncItems, collect, samples, seededRandom, sleep, type TestSample } from './helpers.js';

const ctxFor = (name: string): StageContext => createStageContext({ name });

describe('stage helpers (async-iterable form, no Graph)', () => {
  test('mapStage maps 1:1 and counts seen = emitted', async () => {
    const stage = mapStage('double', (s: TestSample) => s.value * 2, { describe: 'double(x2)' });
    const ctx = ctxFor('double');
    assert.deepEqual(await collect(stage.run(asyncItems(samples(5)), ctx)), [0, 2, 4, 6, 8]);
    assert.equal(stage.describe(), 'double(x2)');
    assert.equal(stage.onError, 'throw');
    assert.deepEqual({ seen: ctx.counters.seen, emitted: ctx.counters.emitted, outputs: ctx.counters.outputs }, { seen: 5, emitted: 5, outputs: 5 });
    assertBalanced({ name: 'double', ...ctx.counters });
  });

  test('asyncMapStage keeps input order under seeded random delays and never exceeds its concurrency', async () => {
    const random = seededRandom(42);
    const delays = Array.from({ length: 60 }, () => Math.floor(random() * 12));
    let inFlight = 0;
    let maxInFlight = 0;
    const stage = asyncMapStage(
      'jitter',
      async (s: TestSample) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(delays[s.value]);
        inFlight -= 1;
        return s.meta.key;
      },
      { concurrency: 4 },
    );
    const ctx = ctxFor('jitter');
    const out = await collect(stage.run(asyncItems(samples(60)), ctx));
    assert.deepEqual(out, samples(60).map((s) => s.meta.key));
    assert.equal(maxInFlight, 4, 'the stage should use its 4 slots, and never more');
    assertBalanced({ name: 'jitter', ...ctx.counters });
    assert.ok(ctx.counters.busyMs > 0);
  });

  test('asyncMapStage rejects a bad concurrency', () => {
    assert.throws(() => asyncMapStage('x', async (v: number) => v, { concurrency: 0 }), /concurrency must be a positive integer/);
  });

  test('filterStage counts rejected items as dropped', async () => {
    const stage = filterStage('odd', (s: TestSample) => s.value % 2 === 1);
    const ctx = ctxFor('odd');
    const out = await collect(stage.run(asyncItems(samples(7)), ctx));
    assert.deepEqual(out.map((s) => s.value), [1, 3, 5]);
    assert.deepEqual({ seen: ctx.counters.seen, emitted: ctx.counters.emitted, dropped: ctx.counters.dropped }, { seen: 7, emitted: 3, dropped: 4 });
    assertBalanced({ name: 'odd', ...ctx.counters });
  });

  test('flatMapStage expands lazily and in order, from sync and async iterables', async () => {
    async function* repeat(s: TestSample): AsyncGenerator<string> {
      for (let i = 0; i < s.value; i++) {
        await sleep(1);
        yield `${s.meta.key}.${i}`;
      }
    }
    const stage = flatMapStage('repeat', repeat);
    const ctx = ctxFor('repeat');
    const out = await collect(stage.run(asyncItems(samples(4)), ctx));
    assert.deepEqual(out, ['k001.0', 'k002.0', 'k002.1', 'k003.0', 'k003.1', 'k003.2']);
    assert.deepEqual({ seen: ctx.counters.seen, emitted: ctx.counters.emitted, outputs: ctx.counters.outputs }, { seen: 4, emitted: 4, outputs: 6 });
    assertBalanced({ name: 'repeat', ...ctx.counters });

    const syncStage = flatMapStage('pairs', (v: number) => [v, -v]);
    assert.deepEqual(await collect(syncStage.run(asyncItems([1, 2]), ctxFor('pairs'))), [1, -1, 2, -2]);
  });

  test('flatMapStage under skip keeps what a failing expansion already produced and counts the item skipped', async () => {
    const skipped: string[] = [];
    const ctx = createStageContext({ name: 'explode', onSkip: (r) => skipped.push(`${r.key}: ${r.reason}`) });
    const stage = flatMapStage(
      'explode',
      function* (s: TestSample) {
        yield `${s.meta.key}.a`;
        if (s.value === 1) throw new Error('truncated member');
        yield `${s.meta.key}.b`;
      },
      { onError: 'skip' },
    );
    assert.deepEqual(await collect(stage.run(asyncItems(samples(3)), ctx)), ['k000.a', 'k000.b', 'k001.a', 'k002.a', 'k002.b']);
    assert.deepEqual(skipped, ['k001: truncated member']);
    assert.deepEqual([ctx.counters.seen, ctx.counters.emitted, ctx.counters.skipped, ctx.counters.outputs], [3, 2, 1, 5]);
    assertBalanced({ name: 'explode', ...ctx.counters });
  });

  test('filterStage applies the error policy to a throwing predicate', async () => {
    const predicate = (s: TestSample): boolean => {
      if (s.value === 2) throw new Error('unreadable label');
      return true;
    };
    const ctx = ctxFor('labelled');
    const kept = await collect(filterStage('labelled', predicate, { onError: 'skip' }).run(asyncItems(samples(4)), ctx));
    assert.deepEqual(kept.map((s) => s.value), [0, 1, 3]);
    assertBalanced({ name: 'labelled', ...ctx.counters });
    await assert.rejects(collect(filterStage('labelled', predicate).run(asyncItems(samples(4)), ctxFor('labelled'))), /stage 'labelled' failed \(key k002, shard train-000000.tar, index 2\): unreadable label/);
  });

  test('batchStage keeps the partial tail by default and drops it with dropLast', async () => {
    const keep = batchStage<number>('batch', { size: 4 });
    const keepCtx = ctxFor('batch');
    assert.deepEqual(await collect(keep.run(asyncItems([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), keepCtx)), [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
    assert.deepEqual({ seen: keepCtx.counters.seen, emitted: keepCtx.counters.emitted, outputs: keepCtx.counters.outputs }, { seen: 10, emitted: 10, outputs: 3 });
    assert.equal(keep.describe(), 'batch(4)');

    const drop = batchStage<number>('batch', { size: 4, dropLast: true });
    const dropCtx = ctxFor('batch');
    assert.deepEqual(await collect(drop.run(asyncItems([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), dropCtx)), [[1, 2, 3, 4], [5, 6, 7, 8]]);
    assert.deepEqual({ emitted: dropCtx.counters.emitted, dropped: dropCtx.counters.dropped, outputs: dropCtx.counters.outputs }, { emitted: 8, dropped: 2, outputs: 2 });
    assertBalanced({ name: 'batch', ...dropCtx.counters });
    assert.equal(drop.describe(), 'batch(4, drop-last)');
    assert.throws(() => batchStage('b', { size: 0 }), /size must be a positive integer/);
  });

  test('stages compose in the async-iterable form and expose the highland form', async () => {
    const a = mapStage('inc', (v: number) => v + 1);
    const b = batchStage<number>('pairs', { size: 2 });
    const out = await collect(b.run(a.run(asyncItems([1, 2, 3]), ctxFor('inc')), ctxFor('pairs')));
    assert.deepEqual(out, [[2, 3], [4]]);
    assert.equal(typeof highlandFormOf(a), 'function');
  });
});
