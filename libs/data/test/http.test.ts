import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';
import { collectingReporter, DatasetSpec } from '../src/index.js';
import { buildTar, collect } from './helpers.js';

let server: http.Server;
let base = '';
let refused = '';

before(async () => {
  const tar = await buildTar([0, 1, 2].flatMap((i) => [{ name: `k${i}.jpg`, data: Buffer.alloc(600, i) }, { name: `k${i}.cls`, data: `${i}` }]));
  server = http.createServer((req, res) => {
    if (req.url === '/good-0.tar' || req.url === '/good-1.tar') res.end(tar);
    else if (req.url === '/good.tgz') res.end(zlib.gzipSync(tar));
    else if (req.url === '/drops.tar') {
      res.writeHead(200, { 'content-length': String(tar.length) });
      res.write(tar.subarray(0, 3200), () => res.destroy()); // connection dies inside k1.jpg
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refused = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/x.tar`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('streams shards over http(s), brace-expanded, plain and gzipped', async () => {
  const samples = await collect(new DatasetSpec({ shards: [`${base}/good-{0..1}.tar`, `${base}/good.tgz`] }).open({ reporter: collectingReporter() }));
  assert.equal(samples.length, 9);
  assert.equal(samples[3]?.meta.shard, `${base}/good-1.tar`);
  assert.deepEqual(samples.slice(0, 3).map((s) => s.meta.key), ['k0', 'k1', 'k2']);
});

test('HTTP 404 and refused connections (after their retries) name the shard; skip goes on with the next shard', async () => {
  for (const [bad, pattern] of [[`${base}/missing.tar`, /HTTP 404/], [refused, /cannot fetch shard.*gave up after 2 attempts.*ECONNREFUSED/]] as const) {
    const shards = [bad, `${base}/good-0.tar`];
    const remote = { retries: 1, retryDelayMs: 5 };
    await assert.rejects(collect(new DatasetSpec({ shards, remote }).open({ reporter: collectingReporter() })), (error: Error) => {
      assert.match(error.message, pattern);
      assert.ok(error.message.includes(bad), error.message);
      return true;
    });
    const reporter = collectingReporter();
    const samples = await collect(new DatasetSpec({ shards, onError: 'skip', remote }).open({ reporter }));
    assert.equal(samples.length, 3);
    assert.equal(reporter.skips.length, 1);
    assert.ok(reporter.skips[0]?.reason.includes(bad));
  }
});

test('a connection dropped mid-shard (on every retry) fails with shard and key; skip keeps what was read', async () => {
  const shards = [`${base}/drops.tar`, `${base}/good-0.tar`];
  const remote = { retries: 1, retryDelayMs: 5 };
  await assert.rejects(collect(new DatasetSpec({ shards, remote }).open({ reporter: collectingReporter() })), /key k1, shard .*drops\.tar/);
  const reporter = collectingReporter();
  const samples = await collect(new DatasetSpec({ shards, onError: 'skip', remote }).open({ reporter }));
  assert.deepEqual(samples.map((s) => `${s.meta.shard.slice(base.length)}:${s.meta.key}`), ['/drops.tar:k0', '/good-0.tar:k0', '/good-0.tar:k1', '/good-0.tar:k2']);
  assert.equal(reporter.skips[0]?.meta?.key, 'k1');
});
