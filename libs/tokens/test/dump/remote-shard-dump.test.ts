import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ShardCache, type RemoteShardOptions } from '@vqrae/data';
import { runEncodeDump } from '../../src/dump/encode-dump.js';
import { keyDump, photoShard, scratch, writtenKeys } from './key-dump.js';
import { rankManifestName } from '../../src/index.js';
import { readManifest } from '../../src/index.js';

// Remote shards keep the dump's promise: a shard that cannot be fetched after its retries is a failed shard (no rows
// committed), a dropped connection that a retry repairs loses and repeats nothing, and a cached shard needs no server.

/** Serves one shard; `mode` decides per request: whole, cut after 80 000 bytes, or HTTP 503. */
async function serve(t: TestContext, bytes: Buffer): Promise<{ url: string; requests: () => number; mode: (m: 'ok' | 'cut' | 'down') => void }> {
  let mode: 'ok' | 'cut' | 'down' = 'ok';
  let requests = 0;
  const server = http.createServer((_req, res) => {
    requests += 1;
    if (mode === 'down') return void res.writeHead(503).end();
    res.writeHead(200, { 'content-length': String(bytes.length) }); // no Accept-Ranges: a retry restarts the shard
    if (mode === 'cut') res.write(bytes.subarray(0, 80_000), () => res.destroy());
    else res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/s-000000.tar`, requests: () => requests, mode: (m) => (mode = m) };
}

test('an http shard: failed after its retries (no rows), then dumped exactly once through a dropped connection, then from the cache alone (issue 16.3)', async (t) => {
  const work = await scratch(t, 'vqrae-remote-dump-');
  const full = await photoShard(work);
  const server = await serve(t, await fs.readFile(full.path));
  const out = path.join(work, 'tok');
  const cache = new ShardCache({ dir: path.join(work, 'cache'), maxBytes: 1e9 });
  const remote: RemoteShardOptions = { retries: 1, retryDelayMs: 5, cache };

  server.mode('cut');
  const first = await runEncodeDump(keyDump(server.url, out, { remote }));
  assert.equal(first.shardsFailed, 1);
  assert.equal(first.written, 0, 'no rows of the failed shard are committed');
  const record = (await readManifest(path.join(out, rankManifestName(0, 1))))!.inputs.find((i) => i.shard === server.url)!;
  assert.equal(record.status, 'failed');
  assert.match(record.error!, /cannot fetch shard 'http:\/\/127\.0\.0\.1:\d+\/s-000000\.tar': gave up after 2 attempts/);
  assert.equal(server.requests(), 2);
  assert.deepEqual(await fs.readdir(cache.dir), [], 'nothing half-fetched is cached');

  // The first attempt is cut, the retry (announced in the log) gets the whole shard: the restart must skip what was read.
  const flaky = { ...remote, log: () => server.mode('ok') };
  server.mode('cut');
  const second = await runEncodeDump(keyDump(server.url, out, { remote: flaky }));
  assert.equal(second.shardsDone, 1);
  assert.equal(second.written, 10);
  assert.deepEqual(await writtenKeys(out), full.keys, 'every sample exactly once');
  assert.equal(server.requests(), 4);

  server.mode('down');
  const again = await runEncodeDump(keyDump(server.url, path.join(work, 'tok2'), { remote }));
  assert.equal(again.shardsDone, 1);
  assert.deepEqual(await writtenKeys(path.join(work, 'tok2')), full.keys);
  assert.equal(server.requests(), 4, 'read from the cache: the server was not asked');
});
