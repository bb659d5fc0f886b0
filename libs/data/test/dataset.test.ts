import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { collectingReporter, DatasetSpec, ShardWriter, type DatasetConfig, type OpenOptions } from '../src/index.js';
import { collect, tempDir } from './helpers.js';

const SHARDS = 8;
const PER_SHARD = 5;
let dir = '';
let cleanup = (): void => undefined;
let spec = '';

before(async () => {
  ({ dir, cleanup } = tempDir());
  const writer = new ShardWriter({ pattern: path.join(dir, 'd-%03d.tar'), maxSamples: PER_SHARD });
  for (let i = 0; i < SHARDS * PER_SHARD; i++) await writer.write({ key: `s${String(i).padStart(3, '0')}`, files: { cls: Buffer.from(String(i)) } });
  await writer.close();
  spec = path.join(dir, `d-{000..${String(SHARDS - 1).padStart(3, '0')}}.tar`);
});
after(() => cleanup());

const keys = async (config: Omit<DatasetConfig, 'shards'>, options: OpenOptions = {}): Promise<string[]> =>
  (await collect(new DatasetSpec({ shards: spec, ...config }).open({ reporter: collectingReporter(), ...options }))).map((s) => s.meta.key);
const sorted = (xs: string[]): string[] => [...xs].sort();
const all = (): string[] => Array.from({ length: SHARDS * PER_SHARD }, (_, i) => `s${String(i).padStart(3, '0')}`);

test('plain reading keeps spec order; a spec is re-openable and each stream is one-shot', async () => {
  const dataset = new DatasetSpec({ shards: spec });
  const opened = dataset.open({ reporter: collectingReporter() });
  assert.deepEqual((await collect(opened)).map((s) => s.meta.key), all());
  assert.equal(opened.stats.samples, SHARDS * PER_SHARD);
  assert.equal(opened.stats.shards, SHARDS);
  assert.throws(() => opened[Symbol.asyncIterator](), /one-shot/);
  assert.equal((await collect(dataset.open({ reporter: collectingReporter() }))).length, SHARDS * PER_SHARD);
});

test('shard shuffle: same seed and epoch → same order; epochs and seeds differ; nothing lost', async () => {
  const a = await keys({ shuffleShards: true, seed: 7 }, { epoch: 3 });
  assert.deepEqual(await keys({ shuffleShards: true, seed: 7 }, { epoch: 3 }), a);
  assert.notDeepEqual(await keys({ shuffleShards: true, seed: 7 }, { epoch: 4 }), a);
  assert.notDeepEqual(await keys({ shuffleShards: true, seed: 8 }, { epoch: 3 }), a);
  assert.notDeepEqual(a, all());
  assert.deepEqual(sorted(a), all());
});

test('shuffle buffer: seeded, a permutation, mixes across shards, respects the initial fill', async () => {
  const config = { shuffle: { size: 12, initial: 6 }, seed: 1 };
  const a = await keys(config);
  assert.deepEqual(await keys(config), a);
  assert.notDeepEqual(await keys({ ...config, seed: 2 }), a);
  assert.deepEqual(sorted(a), all());
  // the first output is drawn from the first `initial` (+1 pulled alongside) samples, never from far ahead
  assert.ok(Number(a[0]?.slice(1)) < 7, a[0]);
  const displacement = a.reduce((sum, key, i) => sum + Math.abs(Number(key.slice(1)) - i), 0) / a.length;
  assert.ok(displacement > 1, `mean displacement ${displacement}`);
});

test('rank × worker split: whole shards, disjoint, complete, identical shuffle on every rank', async () => {
  const parts: string[][] = [];
  for (let rank = 0; rank < 2; rank++) {
    for (let worker = 0; worker < 2; worker++) {
      parts.push(await keys({ shuffleShards: true, seed: 3 }, { rank, worldSize: 2, worker, numWorkers: 2, epoch: 1 }));
    }
  }
  assert.ok(parts.every((p) => p.length === 2 * PER_SHARD));
  assert.deepEqual(sorted(parts.flat()), all());
  for (const part of parts) {
    for (let i = 0; i < part.length; i += PER_SHARD) {
      const shard = Math.floor(Number(part[i]?.slice(1)) / PER_SHARD); // whole shards stay together
      assert.deepEqual(part.slice(i, i + PER_SHARD).map((k) => Math.floor(Number(k.slice(1)) / PER_SHARD)), Array(PER_SHARD).fill(shard));
    }
  }
});

test('fewer shards than readers: clear error by default, warning when asked', async () => {
  await assert.rejects(keys({}, { rank: 8, worldSize: 9 }), /8 shard\(s\) cannot feed 9 rank\(s\) × 1 worker\(s\)/);
  await assert.rejects(keys({}, { rank: 2, worldSize: 2 }), /rank 2 is not in \[0, 2\)/);
  const reporter = collectingReporter();
  const got = await collect(new DatasetSpec({ shards: spec, tooFewShards: 'warn' }).open({ reporter, rank: 8, worldSize: 9 }));
  assert.equal(got.length, 0);
  assert.match(reporter.messages.join('\n'), /cannot feed 9 rank/);
  const uneven = collectingReporter();
  await collect(new DatasetSpec({ shards: spec }).open({ reporter: uneven, rank: 0, worldSize: 3 }));
  assert.match(uneven.messages.join('\n'), /uneven/);
});

test('resampled: infinite draws with replacement, seeded, bounded by limit', async () => {
  const a = await keys({ resampled: true, seed: 5, limit: 60 });
  assert.equal(a.length, 60);
  assert.deepEqual(await keys({ resampled: true, seed: 5, limit: 60 }), a);
  assert.notDeepEqual(await keys({ resampled: true, seed: 5, limit: 60 }, { rank: 1, worldSize: 2 }), a);
  assert.ok(new Set(a).size < a.length, 'expected repeats');
});

test('epochs and limit', async () => {
  const two = await keys({ epochs: 2, shuffleShards: true });
  assert.equal(two.length, 2 * SHARDS * PER_SHARD);
  assert.deepEqual(two.slice(0, SHARDS * PER_SHARD), await keys({ shuffleShards: true }, { epoch: 0 }));
  assert.deepEqual(two.slice(SHARDS * PER_SHARD), await keys({ shuffleShards: true }, { epoch: 1 }));
  assert.deepEqual(await keys({ limit: 7 }), all().slice(0, 7));
});

test('describe() and asSource()', async () => {
  const dataset = new DatasetSpec({ shards: spec, shuffleShards: true, shuffle: { size: 10 }, seed: 2 });
  assert.match(dataset.describe(), /^shards\(.*d-\{000\.\.007\}\.tar, shuffle shards, buffer 10\/10, seed 2, strict, onError throw\)$/);
  const source = new DatasetSpec({ shards: spec, limit: 3 }).asSource({ reporter: collectingReporter() });
  assert.equal((await collect(source.open(new AbortController().signal))).length, 3);
});

test('an endless stream over unreadable shards stops with a clear error instead of spinning', async () => {
  const dataset = new DatasetSpec({ shards: '/nonexistent/x-{0..3}.tar', resampled: true, onError: 'skip' });
  await assert.rejects(collect(dataset.open({ reporter: collectingReporter() })), /100 shards in a row gave no samples/);
});
