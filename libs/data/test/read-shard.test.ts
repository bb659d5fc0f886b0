import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { checkShards, collectingReporter, DatasetSpec, readShard } from '../src/index.js';
import { buildTar, collect, describeSample, FIXTURES, tempDir } from './helpers.js';

const sampleMembers = [
  { name: 'train', type: 'directory' as const },
  { name: 'train/a.jpg', data: 'A-jpg' },
  { name: 'train/a.CLS', data: '3' },
  { name: 'train/a.seg.png', data: 'A-seg' },
  { name: 'train/._a.jpg', data: 'resource fork' },
  { name: 'train/README', data: 'no extension' },
  { name: 'train/link.jpg', type: 'symlink' as const },
  { name: 'train/b.jpg', data: 'B-jpg' },
  { name: 'train/b.txt', data: '' },
  { name: 'c.d.e.json', data: '{}' },
];

test('groups consecutive members by key like Python webdataset', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const shard = path.join(dir, 'x.tar');
    fs.writeFileSync(shard, await buildTar(sampleMembers));
    const samples = await collect(readShard(shard, { reporter: collectingReporter() }));
    assert.deepEqual(samples.map(describeSample), ['train/a:jpg,cls,seg.png', 'train/b:jpg,txt', 'c:d.e.json']);
    assert.deepEqual(samples.map((s) => s.meta.index), [0, 1, 2]);
    assert.equal(samples[0]?.meta.shard, shard);
    assert.equal(Buffer.from(samples[0]?.files.get('seg.png') ?? []).toString(), 'A-seg');
    assert.equal(samples[1]?.files.get('txt')?.length, 0);
  } finally {
    cleanup();
  }
});

test('reads .tar.gz and .tgz shards', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const tarBytes = await buildTar(sampleMembers);
    fs.writeFileSync(path.join(dir, 'x.tar.gz'), zlib.gzipSync(tarBytes));
    fs.writeFileSync(path.join(dir, 'y.tgz'), zlib.gzipSync(tarBytes));
    for (const name of ['x.tar.gz', 'y.tgz']) {
      const samples = await collect(readShard(path.join(dir, name), { reporter: collectingReporter() }));
      assert.equal(samples.length, 3, name);
    }
  } finally {
    cleanup();
  }
});

test('strict mode: a re-appearing key and a duplicate extension fail with shard and key; skip drops only that sample', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const shard = path.join(dir, 'dup.tar');
    fs.writeFileSync(shard, await buildTar([
      { name: 'a.jpg', data: '1' },
      { name: 'b.jpg', data: '2' },
      { name: 'a.cls', data: '3' },
      { name: 'c.jpg', data: '4' },
      { name: 'c.JPG', data: '5' },
      { name: 'd.jpg', data: '6' },
    ]));
    await assert.rejects(collect(readShard(shard, { reporter: collectingReporter() })), /key a, shard .*dup\.tar.*re-appears after key 'b'/);
    const reporter = collectingReporter();
    const kept = await collect(readShard(shard, { reporter, onError: 'skip' }));
    assert.deepEqual(kept.map(describeSample), ['a:jpg', 'b:jpg', 'd:jpg']);
    assert.deepEqual(reporter.skips.map((s) => s.meta?.key), ['a', 'c']);
    assert.match(reporter.skips[1]?.reason ?? '', /duplicate member 'c\.JPG'/);
    const lenient = await collect(readShard(shard, { reporter: collectingReporter(), strict: false, onError: 'skip' }));
    assert.deepEqual(lenient.map(describeSample), ['a:jpg', 'b:jpg', 'a:cls', 'd:jpg']);
  } finally {
    cleanup();
  }
});

test("member names with '..' or absolute paths never become keys", async () => {
  const { dir, cleanup } = tempDir();
  try {
    const shard = path.join(dir, 'evil.tar');
    fs.writeFileSync(shard, await buildTar([
      { name: '../../etc/evil.jpg', data: 'x' },
      { name: '/abs/evil.jpg', data: 'x' },
      { name: 'ok.jpg', data: 'y' },
    ]));
    await assert.rejects(collect(readShard(shard, { reporter: collectingReporter() })), /'\.\.' segment/);
    const reporter = collectingReporter();
    const kept = await collect(readShard(shard, { reporter, onError: 'skip' }));
    assert.deepEqual(kept.map((s) => s.meta.key), ['ok']);
    assert.equal(reporter.skips.length, 2);
    assert.match(reporter.skips[1]?.reason ?? '', /is an absolute path/);
  } finally {
    cleanup();
  }
});

/** Writes good.tar (3 samples) and a damaged copy of it, and reads [damaged, good] through a DatasetSpec. */
async function damagedThenGood(damage: (tar: Buffer) => Buffer): Promise<{ thrown: Error; keys: string[]; skips: { key?: string; reason: string; endsShard: boolean }[] }> {
  const { dir, cleanup } = tempDir();
  try {
    const members = [0, 1, 2].flatMap((i) => [
      { name: `s${i}.jpg`, data: Buffer.alloc(700, i) },
      { name: `s${i}.cls`, data: String(i) },
    ]);
    const good = await buildTar(members);
    fs.writeFileSync(path.join(dir, 'good.tar'), good);
    fs.writeFileSync(path.join(dir, 'bad.tar'), damage(good));
    const shards = [path.join(dir, 'bad.tar'), path.join(dir, 'good.tar')];
    const thrown = await collect(new DatasetSpec({ shards }).open({ reporter: collectingReporter() })).then(
      () => new Error('no error'),
      (error: Error) => error,
    );
    const reporter = collectingReporter();
    const samples = await collect(new DatasetSpec({ shards, onError: 'skip' }).open({ reporter }));
    const keys = samples.map((s) => `${path.basename(s.meta.shard)}:${s.meta.key}`);
    return { thrown, keys, skips: reporter.skips.map((s) => ({ ...(s.meta ? { key: s.meta.key } : {}), reason: s.reason, endsShard: s.endsShard === true })) };
  } finally {
    cleanup();
  }
}

test('truncated shard: error names shard and key; skip keeps the readable part and the next shard', async () => {
  // member s1.jpg's data starts at 3·512 + 1024 + 512 = 3072; cut inside it
  const result = await damagedThenGood((tar) => tar.subarray(0, 3300));
  assert.match(result.thrown.message, /key s1, shard .*bad\.tar.*tar unreadable in member 's1\.jpg'/);
  assert.deepEqual(result.keys, ['bad.tar:s0', 'good.tar:s0', 'good.tar:s1', 'good.tar:s2']);
  assert.equal(result.skips.length, 1);
  assert.equal(result.skips[0]?.key, 's1');
  assert.equal(result.skips[0]?.endsShard, true, 'the skip says the rest of the shard was never read (issue 14.1)');
});

test('corrupt tar header: error names shard and the last key; skip goes on with the next shard', async () => {
  const result = await damagedThenGood((tar) => {
    const copy = Buffer.from(tar);
    copy.fill(0x41, 3 * 512, 3 * 512 + 200); // header of s0.cls... overwritten with garbage
    return copy;
  });
  assert.match(result.thrown.message, /key s0, shard .*bad\.tar.*Invalid tar header/);
  assert.deepEqual(result.keys, ['good.tar:s0', 'good.tar:s1', 'good.tar:s2']);
  assert.equal(result.skips[0]?.key, 's0');
  assert.equal(result.skips[0]?.endsShard, true);
});

test('missing shard file: error names the shard; skip goes on', async () => {
  const reporter = collectingReporter();
  await assert.rejects(collect(readShard('/nonexistent/x.tar', { reporter })), /shard '\/nonexistent\/x\.tar'.*ENOENT/);
  assert.deepEqual(await collect(readShard('/nonexistent/x.tar', { reporter, onError: 'skip' })), []);
  assert.equal(reporter.skips.length, 1);
});

test('checkShards reports bad samples with shard and key: stops under throw, lists all under skip', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const jpg = fs.readFileSync(path.join(FIXTURES, 'images', 'photo-200x150.jpg'));
    const shard = path.join(dir, 'c.tar');
    fs.writeFileSync(shard, await buildTar([
      { name: 'a.jpg', data: jpg },
      { name: 'b.jpg', data: jpg.subarray(0, 500) },
      { name: 'c.cls', data: '1' },
      { name: 'd.jpg', data: jpg },
    ]));
    const log = collectingReporter().log;
    const stopped = await checkShards(shard, { decode: true, onError: 'throw', log });
    assert.deepEqual([stopped.good, stopped.bad.length, stopped.stopped], [1, 1, true]);
    assert.match(stopped.bad[0]?.reason ?? '', /key b, shard .*c\.tar/);
    const all = await checkShards([shard, path.join(dir, 'missing.tar')], { crop: { protocol: 'center', size: 16 }, onError: 'skip', log });
    assert.deepEqual([all.good, all.stopped], [2, false]);
    assert.deepEqual(all.bad.map((b) => b.key ?? 'shard').sort(), ['b', 'c', 'shard']); // read-ahead may report the shard first
    const readOnly = await checkShards(shard, { onError: 'throw', log });
    assert.deepEqual([readOnly.good, readOnly.bad.length], [4, 0]);
  } finally {
    cleanup();
  }
});
