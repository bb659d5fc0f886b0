/** Decode concurrency from cores, libuv pool and image size; `concurrency: 'auto'` in the decode stage. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { chooseDecodeConcurrency, decodeImages, type ShardSample } from '../src/index.js';
import { collect, fromArray, testContext } from './helpers.js';

test('two images in flight per core, one libvips thread each, bounded by the libuv pool and memory', () => {
  assert.deepEqual(chooseDecodeConcurrency({ sourcePixels: 2048 * 1536, cores: 2, threadpool: 4 }), { inFlight: 4, vipsThreads: 1 });
  assert.deepEqual(chooseDecodeConcurrency({ sourcePixels: 500 * 375, cores: 1, threadpool: 4 }), { inFlight: 2, vipsThreads: 1 });
  assert.equal(chooseDecodeConcurrency({ sourcePixels: 500 * 375, cores: 8, threadpool: 4 }).inFlight, 4, 'more would only queue in the pool');
  assert.equal(chooseDecodeConcurrency({ sourcePixels: 500 * 375, cores: 8, threadpool: 16 }).inFlight, 16);
  // 50 MP: 150 MB decoded each, 512 MiB budget → 3 at once
  assert.equal(chooseDecodeConcurrency({ sourcePixels: 50_000_000, cores: 8, threadpool: 16 }).inFlight, 3);
  assert.equal(chooseDecodeConcurrency({ sourcePixels: 400_000_000, cores: 8, threadpool: 16 }).inFlight, 1);
  assert.equal(chooseDecodeConcurrency({ sourcePixels: 0, cores: 0, threadpool: 0 }).inFlight, 1, 'never below one');
});

test("decodeImages concurrency 'auto' (the default): every image, in order, libvips at one thread per image", async () => {
  const previous = sharp.concurrency();
  try {
    const samples: ShardSample[] = [];
    for (let i = 0; i < 6; i++) {
      const jpg = await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: { r: 10 * i, g: 0, b: 0 } } }).jpeg().toBuffer();
      samples.push({ meta: { key: `k${i}`, shard: 's.tar', index: i }, files: new Map([['jpg', jpg]]) });
    }
    const out = await collect(decodeImages().run(fromArray(samples), testContext()));
    assert.deepEqual(out.map((s) => [s.meta.key, s.image.width]), samples.map((s, i) => [s.meta.key, 40 + i]));
    assert.equal(sharp.concurrency(), 1);
    assert.deepEqual(await collect(decodeImages().run(fromArray([]), testContext())), [], 'an empty input is fine');
  } finally {
    sharp.concurrency(previous);
  }
});
