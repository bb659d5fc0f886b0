import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { Graph, asyncMapStage, batchStage, collectSink, forEachSink, fromAsyncIterable, mapStage } from '../src/index.js';
import { sleep } from './helpers.js';

/**
 * A fast source (one item per event-loop turn, ~µs) feeding a sink that takes 5 ms per item (>100× slower). If
 * backpressure works, the number of items pulled from the source but not yet written stays bounded by the buffers
 * in between (asyncMap's `concurrency` slots + one batch + a couple of one-item hand-offs), however long the run.
 */
function countingSource(total: number): { source: ReturnType<typeof fromAsyncIterable<number>>; pulled: () => number } {
  let pulled = 0;
  const source = fromAsyncIterable<number>('fast', async function* () {
    for (let i = 0; i < total; i++) {
      await tick();
      pulled += 1;
      yield i;
    }
  }, { length: total });
  return { source, pulled: () => pulled };
}

describe('backpressure', () => {
  test('a 100× slower sink slows the source: items in flight stay bounded', async () => {
    const { source, pulled } = countingSource(120);
    let written = 0;
    let maxLag = 0;
    const slow = forEachSink<number[]>('slow-writer', async (batch) => {
      maxLag = Math.max(maxLag, pulled() - written);
      await sleep(5);
      written += batch.length;
    });
    const summary = await Graph.from(source)
      .pipe(mapStage('inc', (v: number) => v + 1))
      .pipe(asyncMapStage('io', async (v: number) => v, { concurrency: 4 }))
      .pipe(batchStage<number>('batch', { size: 2 }))
      .to(slow)
      .run();
    assert.equal(summary.sourceItems, 120);
    assert.equal(written, 120);
    // buffers: 2 (batch) + 4 (parallel slots) + ~3 one-item hand-offs; without backpressure the lag would reach ~118
    assert.ok(maxLag <= 12, `source ran ahead of the slow sink by ${maxLag} items`);
  });

  test('with fan-out, the slowest of 3 sinks sets the pace for all', async () => {
    const { source, pulled } = countingSource(80);
    let slowWritten = 0;
    let maxLag = 0;
    const fastA = collectSink<number>('fast-a');
    const fastB = collectSink<number>('fast-b');
    const slow = forEachSink<number>('slow', async () => {
      maxLag = Math.max(maxLag, pulled() - slowWritten);
      await sleep(4);
      slowWritten += 1;
    });
    await Graph.from(source).pipe(mapStage('id', (v: number) => v)).to(fastA, fastB, slow).run();
    assert.equal(fastA.items.length, 80);
    assert.equal(slowWritten, 80);
    assert.ok(maxLag <= 6, `source ran ahead of the slowest sink by ${maxLag} items`);
  });
});
