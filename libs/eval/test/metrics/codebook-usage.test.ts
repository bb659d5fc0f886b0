import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CodebookUsage } from '../../src/index.js';

describe('CodebookUsage', () => {
  it('uniform use of every code: utilisation 1, perplexity k, no dead codes', () => {
    const usage = new CodebookUsage(8);
    usage.add(Int32Array.from({ length: 64 }, (_, i) => i % 8));
    const s = usage.summary();
    assert.deepEqual([s.tokens, s.usedCodes, s.deadCodes, s.utilization], [64, 8, 0, 1]);
    assert.ok(Math.abs(s.perplexity - 8) < 1e-12);
    assert.ok(Math.abs(s.normalizedEntropy - 1) < 1e-12);
  });

  it('skewed histogram: perplexity from the entropy, dead codes counted', () => {
    const usage = new CodebookUsage(6);
    usage.add([0, 0, 0, 1]); // p = (3/4, 1/4)
    const s = usage.summary();
    const entropy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
    assert.ok(Math.abs(s.perplexity - Math.exp(entropy)) < 1e-12);
    assert.deepEqual([s.usedCodes, s.deadCodes], [2, 4]);
    assert.ok(Math.abs(s.utilization - 2 / 6) < 1e-15);
  });

  it('merging shards equals counting everything at once; histogram bins sum to the tokens', () => {
    const all = new CodebookUsage(10);
    const a = new CodebookUsage(10);
    const b = new CodebookUsage(10);
    const first = [1, 2, 3, 3, 9];
    const second = Uint16Array.of(3, 4, 4, 0);
    all.add(first);
    all.add(second);
    a.add(first);
    b.add(second);
    a.merge(b);
    assert.deepEqual(a.counts, all.counts);
    const bins = a.histogram(4);
    assert.deepEqual(bins.map((x) => [x.startCode, x.endCode]), [[0, 3], [3, 6], [6, 9], [9, 10]]);
    assert.equal(bins.reduce((acc, x) => acc + x.count, 0), 9);
    assert.deepEqual(Array.from(a.rankedCounts().subarray(0, 3)), [3, 2, 1]);
  });

  it('rejects out-of-range indices and size mismatches', () => {
    const usage = new CodebookUsage(4);
    assert.throws(() => usage.add([0, 4]), /index 4 at position 1 is outside \[0, 4\)/);
    assert.throws(() => usage.merge(new CodebookUsage(5)), /codebook sizes differ/);
    assert.ok(Number.isNaN(usage.summary().perplexity));
  });
});
