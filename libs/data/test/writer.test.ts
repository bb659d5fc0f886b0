import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { collectingReporter, createRng, DatasetSpec, listImageFiles, packImages, ShardWriter } from '../src/index.js';
import { collect, tempDir } from './helpers.js';

test('writer → reader round trip is byte-exact; shards roll over by samples', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const rng = createRng(1);
    const written = Array.from({ length: 23 }, (_, i) => ({
      key: `part${i % 3}/img${String(i).padStart(4, '0')}`,
      files: new Map<string, Uint8Array>([
        ['jpg', Uint8Array.from({ length: 1 + rng.int(3000) }, () => rng.int(256))],
        ['cls', Buffer.from(String(i % 10))],
        ['json', Buffer.from(JSON.stringify({ i }))],
        ['empty.txt', new Uint8Array(0)],
      ]),
    }));
    const writer = new ShardWriter({ pattern: path.join(dir, 'sub', 'out-%06d.tar'), maxSamples: 10 });
    for (const sample of written) await writer.write(sample);
    const shards = await writer.close();
    assert.deepEqual(shards.map((s) => [path.basename(s.path), s.samples]), [['out-000000.tar', 10], ['out-000001.tar', 10], ['out-000002.tar', 3]]);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'sub')).sort(), ['out-000000.tar', 'out-000001.tar', 'out-000002.tar']);
    const read = await collect(new DatasetSpec({ shards: path.join(dir, 'sub/out-{000000..000002}.tar') }).open({ reporter: collectingReporter() }));
    assert.equal(read.length, written.length);
    read.forEach((sample, i) => {
      const original = written[i];
      assert.equal(sample.meta.key, original?.key);
      assert.deepEqual([...sample.files.keys()], [...(original?.files.keys() ?? [])]);
      for (const [ext, bytes] of original?.files ?? []) assert.ok(Buffer.from(bytes).equals(Buffer.from(sample.files.get(ext) ?? [])), `${sample.meta.key}.${ext}`);
    });
  } finally {
    cleanup();
  }
});

test('writer rolls over by bytes and writes under a temporary name until the shard is complete', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const writer = new ShardWriter({ pattern: path.join(dir, 'b-%d.tar'), maxBytes: 6000 });
    for (let i = 0; i < 5; i++) {
      await writer.write({ key: `k${i}`, files: { bin: new Uint8Array(1500) } });
      const names = fs.readdirSync(dir);
      assert.ok(names.some((n) => n.includes('.tmp-')), `temp file while writing: ${names}`);
    }
    const shards = await writer.close();
    assert.deepEqual(shards.map((s) => s.samples), [2, 2, 1]);
    assert.ok(shards.every((s) => s.bytes <= 6000 && s.bytes === fs.statSync(s.path).size));
    assert.ok(!fs.readdirSync(dir).some((n) => n.includes('.tmp-')));
    const aborted = new ShardWriter({ pattern: path.join(dir, 'c-%d.tar') });
    await aborted.write({ key: 'x', files: { bin: new Uint8Array(10) } });
    await aborted.abort();
    assert.ok(!fs.readdirSync(dir).some((n) => n.startsWith('c-')));
  } finally {
    cleanup();
  }
});

test('writer refuses keys and extensions that would not read back (or escape a folder)', async () => {
  const writer = new ShardWriter({ pattern: '/tmp/never-%d.tar' });
  const bad = [
    ['../escape', { jpg: new Uint8Array(1) }, /'\.\.' segment/],
    ['/abs/x', { jpg: new Uint8Array(1) }, /absolute/],
    ['a.b', { jpg: new Uint8Array(1) }, /without dots/],
    ['ok', { JPG: new Uint8Array(1) }, /invalid extension 'JPG'/],
    ['ok', {}, /no members/],
  ] as const;
  for (const [key, files, pattern] of bad) await assert.rejects(writer.write({ key, files }), pattern);
  assert.throws(() => new ShardWriter({ pattern: 'x.tar' }), /%d/);
});

test('packImages packs a folder or a glob with side files into shards', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const src = path.join(dir, 'src');
    fs.mkdirSync(path.join(src, 'cats'), { recursive: true });
    fs.writeFileSync(path.join(src, 'cats', 'a.JPEG'), 'jpeg-bytes');
    fs.writeFileSync(path.join(src, 'cats', 'a.cls'), '1');
    fs.writeFileSync(path.join(src, 'cats', 'a.txt'), 'a cat');
    fs.writeFileSync(path.join(src, 'b.v2.png'), 'png-bytes');
    fs.writeFileSync(path.join(src, 'b.v2.json'), '{"w":1}');
    fs.writeFileSync(path.join(src, 'notes.md'), 'ignored');
    const files = await listImageFiles(src);
    assert.deepEqual(files.map((f) => f.key), ['b_v2', 'cats/a']);
    const shards = await packImages(files, { pattern: path.join(dir, 'out', 'p-%04d.tar'), maxSamples: 1 });
    assert.equal(shards.length, 2);
    const samples = await collect(new DatasetSpec({ shards: shards.map((s) => s.path) }).open({ reporter: collectingReporter() }));
    assert.deepEqual(samples.map((s) => `${s.meta.key}:${[...s.files.keys()].join(',')}`), ['b_v2:png,json', 'cats/a:jpg,cls,txt']);
    assert.equal(Buffer.from(samples[1]?.files.get('txt') ?? []).toString(), 'a cat');
    assert.deepEqual((await listImageFiles(`${src}/**/*.JPEG`)).map((f) => f.key), ['cats/a']);
    assert.deepEqual((await listImageFiles(`${src}/*.png`)).map((f) => f.key), ['b_v2']);
  } finally {
    cleanup();
  }
});
