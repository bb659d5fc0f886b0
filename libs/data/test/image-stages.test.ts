import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { cropImages, decodeImages, loadImage, mapOrdered, planCrop, readJpegHeader, type ShardSample } from '../src/index.js';
import { byteDiff, collect, FIXTURES, fromArray, testContext } from './helpers.js';

const read = (name: string): Buffer => fs.readFileSync(path.join(FIXTURES, 'images', name));
const sample = (key: string, files: Record<string, Uint8Array>): ShardSample => ({
  meta: { key, shard: 'mem.tar', index: 0 },
  files: new Map(Object.entries(files)),
});

test('decodes PNG, WebP, TIFF identically and GIF as its first frame; always 3-channel uint8', async () => {
  const png = await loadImage(read('small.png'));
  for (const name of ['small.webp', 'small.tif']) {
    const other = await loadImage(read(name));
    assert.equal(byteDiff(other.data, png.data).max, 0, name);
  }
  const gif = await loadImage(read('two-frames.gif'));
  assert.deepEqual([gif.width, gif.height, gif.channels, gif.data.length], [24, 16, 3, 24 * 16 * 3]);
  assert.deepEqual([...gif.data.subarray(0, 3)], [255, 0, 0]);
});

test('alpha is flattened onto a configurable background; grey becomes RGB', async () => {
  const white = await loadImage(read('rgba.png'));
  assert.deepEqual([...white.data.subarray(0, 3)], [127, 127, 255]);
  const black = await loadImage(read('rgba.png'), { background: { r: 0, g: 0, b: 0 } });
  assert.deepEqual([...black.data.subarray(0, 3)], [0, 0, 128]);
  const grey = await loadImage(read('grey-120x90.png'));
  assert.equal(grey.data.length, 120 * 90 * 3);
  assert.equal(grey.data[0], grey.data[1]);
});

test('decompression-bomb guard rejects images above limitInputPixels before decoding', async () => {
  await assert.rejects(loadImage(read('photo-200x150.jpg'), { limitInputPixels: 10_000 }), /200×150 = 30000 pixels, above limitInputPixels 10000 \(decompression-bomb guard\)/);
  // a PNG header that claims 100000 × 100000 pixels (10 gigapixels) with almost no data
  await assert.rejects(loadImage(bombPng()), /100000×100000 = 10000000000 pixels, above limitInputPixels 178956970/);
});

test('every crop protocol yields size×size; random ones are seeded by seed and key', async () => {
  const bytes = read('photo-333x517.jpg');
  for (const crop of [
    { protocol: 'center', size: 48 },
    { protocol: 'adm', size: 48 },
    { protocol: 'exact', size: 48 },
    { protocol: 'random-resized', size: 48, seed: 3 },
    { protocol: 'random-crop', size: 48, resizeTo: 72, seed: 3 },
  ] as const) {
    const image = await loadImage(bytes, { crop }, 'k1');
    assert.deepEqual([image.width, image.height, image.data.length], [48, 48, 48 * 48 * 3], crop.protocol);
  }
  const rr = { protocol: 'random-resized', size: 48, seed: 3 } as const;
  assert.deepEqual(planCrop(rr, 333, 517, 'k1'), planCrop(rr, 333, 517, 'k1'));
  assert.notDeepEqual(planCrop(rr, 333, 517, 'k1'), planCrop(rr, 333, 517, 'k2'));
  assert.notDeepEqual(planCrop(rr, 333, 517, 'k1'), planCrop({ ...rr, seed: 4 }, 333, 517, 'k1'));
  const a = await loadImage(bytes, { crop: rr }, 'k1');
  const b = await loadImage(bytes, { crop: rr }, 'k1');
  assert.equal(byteDiff(a.data, b.data).max, 0);
  // ADM halves while the short side is ≥ 2·48: 333×517 → 166×258 → 83×129, then bicubic to 48×75
  const adm = planCrop({ protocol: 'adm', size: 48 }, 333, 517, '');
  assert.deepEqual([adm.halvings, adm.resize.width, adm.resize.height], [2, 48, 75]);
  assert.deepEqual(planCrop({ protocol: 'center', size: 256 }, 500, 375, '').window, { left: 42, top: 0, width: 256, height: 256 });
});

test('decodeImages: bad JPEG, zero-byte member, missing image → error with key and shard, or counted skip', async () => {
  const good = read('photo-200x150.jpg');
  const samples = [
    sample('ok1', { jpg: good, cls: Buffer.from('1') }),
    sample('truncated', { jpg: good.subarray(0, good.length >> 1) }),
    sample('garbage', { jpg: Buffer.from('definitely not a jpeg') }),
    sample('empty', { jpg: new Uint8Array(0) }),
    sample('noimage', { cls: Buffer.from('2') }),
    sample('ok2', { png: read('small.png') }),
  ];
  const expectations: [string, RegExp][] = [
    ['truncated', /member 'jpg'/],
    ['garbage', /member 'jpg'.*(unsupported image format|VipsJpeg)/],
    ['empty', /empty \(0 bytes\)/],
    ['noimage', /no image member \(looked for jpg.*it has cls\)/],
  ];
  for (const [key, pattern] of expectations) {
    const only = samples.filter((s) => s.meta.key === key || s.meta.key === 'ok1');
    await assert.rejects(collect(decodeImages().run(fromArray(only), testContext())), (error: Error) => {
      assert.match(error.message, new RegExp(`stage 'decode' failed \\(key ${key}, shard mem\\.tar, index 0\\)`));
      assert.match(error.message, pattern);
      return true;
    });
  }
  const ctx = testContext();
  const out = await collect(decodeImages({ onError: 'skip', crop: { protocol: 'center', size: 32 } }).run(fromArray(samples), ctx));
  assert.deepEqual(out.map((s) => s.meta.key), ['ok1', 'ok2']);
  assert.deepEqual(ctx.skips.map((s) => s.meta?.key), ['truncated', 'garbage', 'empty', 'noimage']);
  assert.equal(ctx.counters.skipped, 4);
  assert.equal(Buffer.from(out[0]?.files.get('cls') ?? []).toString(), '1');
  assert.deepEqual([out[1]?.image.width, out[1]?.image.height], [32, 32]);
});

test('decode then cropImages equals the fused decode+crop', async () => {
  const bytes = read('photo-200x150.jpg');
  const full = await collect(decodeImages().run(fromArray([sample('k', { jpg: bytes })]), testContext()));
  const cropped = await collect(cropImages({ crop: { protocol: 'center', size: 40 } }).run(fromArray(full), testContext()));
  const fused = await loadImage(bytes, { crop: { protocol: 'center', size: 40 } });
  assert.ok(byteDiff(cropped[0]?.image.data ?? new Uint8Array(), fused.data).mean < 0.5);
});

test('mapOrdered keeps input order with bounded concurrency', async () => {
  let inFlight = 0;
  let peak = 0;
  const delays = [30, 5, 20, 1, 15, 2, 8, 1];
  const fn = async (i: number): Promise<number> => {
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    await new Promise((resolve) => setTimeout(resolve, delays[i]));
    inFlight -= 1;
    if (i === 5) throw new Error('five');
    return i * 10;
  };
  const out = await collect(mapOrdered(fromArray([0, 1, 2, 3, 4, 5, 6, 7]), 3, fn));
  assert.deepEqual(out.map((o) => (o.result.ok ? o.result.value : 'err')), [0, 10, 20, 30, 40, 'err', 60, 70]);
  assert.equal(peak, 3);
});

/** A valid PNG signature + IHDR chunk claiming 100000×100000 RGB, then a few KB of zero rows and IEND. */
function bombPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer): number => {
    let c = 0xffffffff;
    for (const b of bytes) c = (crcTable[(c ^ b) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(100_000, 0);
  ihdr.writeUInt32BE(100_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(Buffer.alloc(4096))), chunk('IEND', Buffer.alloc(0))]);
}

test('readJpegHeader agrees with libvips on size and EXIF orientation; declines non-JPEG or truncated input', async () => {
  for (const name of ['photo-200x150.jpg', 'photo-640x480.jpg', 'photo-333x517.jpg', 'exif6-160x96.jpg']) {
    const bytes = read(name);
    const meta = await sharp(bytes).metadata();
    assert.deepEqual(readJpegHeader(bytes), { width: meta.width, height: meta.height, orientation: meta.orientation ?? 1 }, name);
  }
  assert.equal(readJpegHeader(read('exif6-160x96.jpg'))?.orientation, 6);
  assert.equal(readJpegHeader(read('small.png')), undefined);
  assert.equal(readJpegHeader(read('photo-200x150.jpg').subarray(0, 100)), undefined);
});
