import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runExactlyOnce, shardRef, type ExactlyOnceJob } from '../../src/index.js';
import { readManifest } from '../../src/index.js';

const SHARDS = 100_000;

function job(outDir: string, processShard: ExactlyOnceJob<string>['processShard']): ExactlyOnceJob<string> {
  return {
    outDir,
    manifestFile: path.join(outDir, 'manifest-rank00000-of-00001.json'),
    kind: 'test',
    fingerprint: { c: 1 },
    provenance: {},
    rank: 0,
    worldSize: 1,
    shards: Array.from({ length: SHARDS }, (_, i) => shardRef(`nope-${String(i).padStart(6, '0')}.tar`)),
    rowsPerFile: 10,
    fileExtension: '.txt',
    encode: (rows) => new TextEncoder().encode(rows.join('\n')),
    processShard,
    onShardError: 'skip',
    log: () => {},
  };
}

test('100,000 missing shards under --on-error skip are recorded in seconds, and a rerun retries them in seconds (issue 14.6)', { timeout: 240_000 }, async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-scale-'));
  const missing = async (): Promise<never> => {
    throw new Error('ENOENT: no such file');
  };
  let started = performance.now();
  const first = await runExactlyOnce(job(out, missing));
  const firstMs = performance.now() - started;
  assert.equal(first.shardsFailed, SHARDS);
  const manifest = (await readManifest(path.join(out, 'manifest-rank00000-of-00001.json')))!;
  assert.equal(manifest.inputs.length, SHARDS);
  assert.ok(manifest.inputs.every((i) => i.status === 'failed'));
  // The quadratic version needed ~10 minutes for 17,000 shards; a generous bound keeps a loaded CI machine green.
  assert.ok(firstMs < 60_000, `per-shard bookkeeping must be O(1): ${SHARDS} failed shards took ${firstMs.toFixed(0)} ms`);

  // The rerun finds every shard again: odd ones are now "readable" (no rows), even ones still missing.
  started = performance.now();
  const second = await runExactlyOnce(
    job(out, async (shard) => {
      if (Number(/(\d+)\.tar$/.exec(shard.url)![1]) % 2 === 0) throw new Error('ENOENT: no such file');
      return { seen: 0, skipped: 0, skips: [] };
    }),
  );
  const secondMs = performance.now() - started;
  assert.equal(second.shardsDone, SHARDS / 2);
  assert.equal(second.shardsFailed, SHARDS / 2);
  const third = await runExactlyOnce(job(out, missing));
  assert.equal(third.shardsResumed, SHARDS / 2, 'done shards are resumed, not redone');
  assert.equal(third.shardsFailed, SHARDS / 2);
  const final = (await readManifest(path.join(out, 'manifest-rank00000-of-00001.json')))!;
  assert.equal(final.inputs.length, SHARDS, 'one record per shard (a retried shard replaces its failed record)');
  assert.equal(final.inputs.filter((i) => i.status === 'done').length, SHARDS / 2);
  assert.ok(secondMs < 60_000, `rerun took ${secondMs.toFixed(0)} ms`);
  await fs.rm(out, { recursive: true, force: true });
});
