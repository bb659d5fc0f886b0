import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, asyncMapStage, batchStage, forEachSink, fromAsyncIterable } from '../src/index.js';
import { sleep } from './helpers.js';

function trackedSource(total: number): { source: ReturnType<typeof fromAsyncIterable<number>>; closed: () => boolean } {
  let closed = false;
  const source = fromAsyncIterable<number>('numbers', async function* () {
    try {
      for (let i = 0; i < total; i++) {
        await sleep(0);
        yield i;
      }
    } finally {
      closed = true;
    }
  }, { length: total });
  return { source, closed: () => closed };
}

describe('cancellation', () => {
  test('abort stops the source, drains in-flight items to the sink, aborts (closes) sinks, marks the summary', async () => {
    const controller = new AbortController();
    const { source, closed } = trackedSource(1000);
    const written: number[] = [];
    const events: string[] = [];
    const sink = forEachSink<number>('file', (v) => {
      written.push(v);
      if (written.length === 20) controller.abort(new Error('SIGINT'));
    }, { finish: () => void events.push('finish'), abort: (reason) => void events.push(`abort: ${(reason as Error).message}`) });
    const summary = await Graph.from(source)
      .pipe(asyncMapStage('work', async (v: number) => (await sleep(2), v), { concurrency: 4 }))
      .to(sink)
      .run({ signal: controller.signal });
    assert.equal(summary.status, 'cancelled');
    assert.equal(summary.cancelled, true);
    assert.ok(summary.sourceItems < 40, `source kept going after cancel: ${summary.sourceItems} items`);
    assert.ok(summary.sourceItems >= 20);
    assert.deepEqual(written, Array.from({ length: summary.sourceItems }, (_, i) => i), 'every pulled item drained to the sink, in order');
    assert.deepEqual(events, ['abort: SIGINT']);
    await sleep(5);
    assert.equal(closed(), true, 'the source iterator was closed');
  });

  test('a pending partial batch drains on cancel', async () => {
    const controller = new AbortController();
    const { source } = trackedSource(1000);
    const batches: number[][] = [];
    const summary = await Graph.from(source)
      .pipe(batchStage<number>('batch', { size: 8 }))
      .to(forEachSink<number[]>('out', (b) => {
        batches.push(b);
        if (batches.length === 2) controller.abort();
      }))
      .run({ signal: controller.signal });
    assert.equal(summary.status, 'cancelled');
    assert.equal(batches.flat().length, summary.sourceItems, 'items already pulled reach the sink, the last batch short');
    assert.deepEqual(summary.stages[0].seen, summary.sourceItems);
  });

  test('cancel while the source is blocked returns promptly', async () => {
    const controller = new AbortController();
    const stuck = fromAsyncIterable<number>('stuck', async function* () {
      yield 1;
      await new Promise(() => {}); // a read that never completes
    });
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const summary = await Graph.from(stuck).to(forEachSink('out', () => {})).run({ signal: controller.signal });
    assert.equal(summary.status, 'cancelled');
    assert.equal(summary.sinks[0].written, 1);
    assert.ok(Date.now() - started < 1000);
  });

  test('an already-aborted signal runs nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    const { source } = trackedSource(10);
    const summary = await Graph.from(source).to(forEachSink('out', () => {})).run({ signal: controller.signal });
    assert.deepEqual([summary.status, summary.sourceItems], ['cancelled', 0]);
  });
});
