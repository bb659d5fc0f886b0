import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Graph,
  StageError,
  asyncMapStage,
  batchStage,
  collectSink,
  createStageContext,
  forEachSink,
  fromAsyncIterable,
  fromIterable,
  mapStage,
  type Logger,
  type RunSummary,
} from '../src/index.js';
import { assertBalanced, samples, type TestSample } from './helpers.js';

const failOn = (bad: ReadonlySet<number>) => (s: TestSample): TestSample => {
  if (bad.has(s.value)) throw new Error(`corrupt JPEG marker`);
  return s;
};

async function rejection(run: Promise<RunSummary>): Promise<StageError> {
  try {
    await run;
  } catch (error) {
    assert.ok(error instanceof StageError, `expected a StageError, got ${String(error)}`);
    return error;
  }
  assert.fail('the run should have failed');
}

describe('error policy', () => {
  test('throw (default): the run rejects with a StageError naming stage, key and shard, with a partial summary', async () => {
    const aborted: unknown[] = [];
    const sink = forEachSink('out', () => {}, { abort: (error) => void aborted.push(error), finish: () => assert.fail('finish must not run') });
    const graph = Graph.from(fromIterable('src', samples(20, 'eval-000002.tar'))).pipe(mapStage('decode', failOn(new Set([11])))).to(sink);
    const error = await rejection(graph.run());
    assert.equal(error.message, "stage 'decode' failed (key k011, shard eval-000002.tar, index 11): corrupt JPEG marker");
    assert.equal(error.stage, 'decode');
    assert.equal(error.meta?.key, 'k011');
    assert.equal(error.summary?.status, 'failed');
    assert.deepEqual(error.summary?.failure, { stage: 'decode', key: 'k011', shard: 'eval-000002.tar', message: error.message });
    assert.equal(error.summary?.stages[0].errors, 1);
    assert.equal(aborted.length, 1);
    assert.equal(aborted[0], error);
  });

  test('throw in an async stage with concurrency also names the sample', async () => {
    const graph = Graph.from(fromIterable('src', samples(30)))
      .pipe(asyncMapStage('fetch', async (s: TestSample) => failOn(new Set([17]))(s), { concurrency: 4 }))
      .to(collectSink('out'));
    const error = await rejection(graph.run());
    assert.match(error.message, /^stage 'fetch' failed \(key k017, shard train-000000.tar, index 17\): corrupt JPEG marker$/);
  });

  test('skip: failed samples are dropped, counted, logged and recorded; seen = emitted + skipped', async () => {
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => warnings.push(m), error: () => {} };
    const out = collectSink<TestSample>('out');
    const graph = Graph.from(fromIterable('src', samples(25)))
      .pipe(asyncMapStage('decode', async (s: TestSample) => failOn(new Set([3, 9, 20]))(s), { concurrency: 3, onError: 'skip' }))
      .pipe(mapStage('check', failOn(new Set([4])), { onError: 'skip' }))
      .to(out);
    const summary = await graph.run({ log });
    assert.equal(summary.status, 'ok');
    assert.equal(out.items.length, 21);
    assert.deepEqual(summary.stages.map((s) => [s.seen, s.emitted, s.skipped, s.errors]), [[25, 22, 3, 3], [22, 21, 1, 1]]);
    summary.stages.forEach(assertBalanced);
    const byKey = [...summary.skips].sort((x, y) => String(x.key).localeCompare(String(y.key)));
    assert.deepEqual(byKey, [
      { stage: 'decode', key: 'k003', shard: 'train-000000.tar', reason: 'corrupt JPEG marker' },
      { stage: 'check', key: 'k004', shard: 'train-000000.tar', reason: 'corrupt JPEG marker' },
      { stage: 'decode', key: 'k009', shard: 'train-000000.tar', reason: 'corrupt JPEG marker' },
      { stage: 'decode', key: 'k020', shard: 'train-000000.tar', reason: 'corrupt JPEG marker' },
    ]);
    assert.equal(warnings.length, 4);
    assert.match(warnings[0], /stage '(decode|check)' skipped key k00[34] \(shard train-000000.tar\): corrupt JPEG marker/);
  });

  test('a failure on a batch names the keys of its samples', async () => {
    const graph = Graph.from(fromIterable('src', samples(6)))
      .pipe(batchStage<TestSample>('batch', { size: 3 }))
      .pipe(mapStage('to-tensor', (batch: TestSample[]) => {
        if (batch[0].value === 3) throw new Error('expected 3 channels, got 4');
        return batch.length;
      }))
      .to(collectSink('out'));
    const error = await rejection(graph.run());
    assert.equal(error.message, "stage 'to-tensor' failed (batch of 3: keys k003, k004, k005; shard train-000000.tar): expected 3 channels, got 4");
  });

  test('source and sink failures are StageErrors too, and every sink is aborted', async () => {
    const brokenSource = fromAsyncIterable('shards', async function* () {
      yield 1;
      throw new Error('tar header checksum mismatch');
    });
    const sourceError = await rejection(Graph.from(brokenSource).to(collectSink('out')).run());
    assert.equal(sourceError.message, "stage 'shards' failed: tar header checksum mismatch");

    const aborted: string[] = [];
    const writer = forEachSink('writer', (s: TestSample) => {
      if (s.value === 5) throw new Error('disk full');
    }, { abort: () => void aborted.push('writer') });
    const other = forEachSink('other', () => {}, { abort: () => void aborted.push('other') });
    const sinkError = await rejection(Graph.from(fromIterable('src', samples(50))).to(writer, other).run());
    assert.equal(sinkError.message, "stage 'writer' failed (key k005, shard train-000000.tar, index 5): disk full");
    assert.deepEqual(aborted.sort(), ['other', 'writer']);
    assert.ok((sinkError.summary?.sinks[1].written ?? 99) <= 10, 'the other branch must stop soon after the failure');
  });

  test('createStageContext.skip records stage, key and shard', () => {
    const records: unknown[] = [];
    const ctx = createStageContext({ name: 'decode', onSkip: (r) => records.push(r) });
    ctx.skip(samples(1)[0], 'truncated file');
    assert.equal(ctx.counters.skipped, 1);
    assert.deepEqual(records, [{ stage: 'decode', key: 'k000', shard: 'train-000000.tar', reason: 'truncated file' }]);
  });
});
