import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveRank, shardsForRank } from '../../src/dump/rank.js';
import { runExactlyOnce, shardRef } from '../../src/index.js';
import { mergeManifests, rankManifestName } from '../../src/index.js';

test('rank resolution: flags, torchrun, SLURM, Kubernetes indexed Jobs, and clear errors', () => {
  assert.deepEqual(resolveRank({}, {}), { rank: 0, worldSize: 1, source: 'default (single process)' });
  assert.equal(resolveRank({ rank: 1, worldSize: 4 }, { RANK: '3', WORLD_SIZE: '8' }).rank, 1);
  assert.deepEqual(resolveRank({}, { RANK: '3', WORLD_SIZE: '8' }), { rank: 3, worldSize: 8, source: 'RANK/WORLD_SIZE' });
  assert.equal(resolveRank({}, { SLURM_PROCID: '2', SLURM_NTASKS: '4' }).rank, 2);
  assert.equal(resolveRank({}, { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '6' }).worldSize, 6);
  assert.deepEqual(resolveRank({ worldSize: 3 }, { JOB_COMPLETION_INDEX: '2' }), { rank: 2, worldSize: 3, source: 'JOB_COMPLETION_INDEX' });
  assert.throws(() => resolveRank({}, { JOB_COMPLETION_INDEX: '2' }), /no world size; pass --world-size/);
  assert.throws(() => resolveRank({}, { RANK: '4', WORLD_SIZE: '4' }), /not below world size/);
  assert.throws(() => resolveRank({}, { RANK: 'x', WORLD_SIZE: '4' }), /RANK="x"/);
  assert.deepEqual(shardsForRank(['a', 'b', 'c', 'd', 'e'], { rank: 1, worldSize: 2, source: '' }), ['b', 'd']);
});

test('merge-manifests accepts a complete rank split and reports missing ranks and double coverage', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'merge-'));
  const all = ['x/0.tar', 'x/1.tar', 'x/2.tar'].map(shardRef);
  const runRank = (rank: number, worldSize: number) =>
    runExactlyOnce<string>({
      outDir: out,
      manifestFile: path.join(out, rankManifestName(rank, worldSize)),
      kind: 'test',
      fingerprint: { c: 1 },
      provenance: {},
      rank,
      worldSize,
      shards: shardsForRank(all, { rank, worldSize, source: '' }),
      rowsPerFile: 10,
      fileExtension: '.txt',
      encode: (rows) => new TextEncoder().encode(rows.join('\n')),
      processShard: async (shard, emit) => {
        await emit(shard.id);
        return { seen: 1, skipped: 0, skips: [] };
      },
      onShardError: 'throw',
      log: () => {},
    });
  await runRank(0, 2);
  const partial = await mergeManifests(out, { verify: true });
  assert.match(partial.problems.join('\n'), /rank 1 of 2 has no manifest/);
  await runRank(1, 2);
  const merged = await mergeManifests(out, { verify: true });
  assert.deepEqual(merged.problems, []);
  assert.equal(merged.manifest.outputs.length, 3);
  assert.deepEqual(merged.manifest.assigned, all.map((s) => s.url).sort());
  await fs.writeFile(path.join(out, merged.manifest.outputs[0]!.file), 'tampered');
  assert.match((await mergeManifests(out, { verify: true })).problems.join('\n'), /does not match its recorded size\/sha256/);
});

test('merge-manifests refuses while a rank is still running, and names part files that no manifest lists (issue 14.1/14.10, same class)', async () => {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'merge-live-'));
  const all = ['y/0.tar', 'y/1.tar'].map(shardRef);
  await runExactlyOnce<string>({
    outDir: out,
    manifestFile: path.join(out, rankManifestName(0, 1)),
    kind: 'test',
    fingerprint: { c: 1 },
    provenance: {},
    rank: 0,
    worldSize: 1,
    shards: all,
    rowsPerFile: 10,
    fileExtension: '.txt',
    encode: (rows) => new TextEncoder().encode(rows.join('\n')),
    processShard: async (shard, emit) => {
      await emit(shard.id);
      return { seen: 1, skipped: 0, skips: [] };
    },
    onShardError: 'throw',
    log: () => {},
  });
  assert.deepEqual((await mergeManifests(out, { verify: true })).problems, []);
  const lock = path.join(out, `${rankManifestName(0, 1)}.lock`);
  await fs.writeFile(lock, JSON.stringify({ pid: process.pid, hostname: os.hostname(), processStart: null, startedAt: 'now', purpose: 'test' }));
  assert.match((await mergeManifests(out, { verify: false })).problems.join('\n'), /rank 0 of 1 is still running \(pid \d+/);
  await fs.rm(lock);
  await fs.writeFile(path.join(out, 'stray-0123abcd.0000.txt'), 'left by a killed run of another job');
  assert.match((await mergeManifests(out, { verify: false })).problems.join('\n'), /stray-0123abcd\.0000\.txt is not listed by any manifest/);
});
