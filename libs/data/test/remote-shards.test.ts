import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHash } from 'node:crypto';
import { collectingReporter, DatasetSpec, expectedSha256, httpShardBytes, isGzipShard, retryDelay, type RemoteShardOptions } from '../src/index.js';
import { buildTar, collect } from './helpers.js';
import { startShardServer, type ShardServer } from './shard-server.js';

/** Fast retries for tests: 10 ms, 20 ms, … */
// A generous stall timeout: the first request of a loaded machine can take longer than a test of stalls wants (those set their own).
const FAST: RemoteShardOptions = { retries: 3, retryDelayMs: 10, stallTimeoutMs: 3000 };

let server: ShardServer;
let shard: Buffer;
let other: Buffer;

/** Six samples of 3 kB each: ~20 kB of tar, so a drop at 7000 bytes lands inside a member. */
const sixSamples = (fill: number): Promise<Buffer> =>
  buildTar([0, 1, 2, 3, 4, 5].flatMap((i) => [{ name: `k${i}.jpg`, data: Buffer.alloc(3000, fill + i) }, { name: `k${i}.cls`, data: `${i}` }]));

before(async () => {
  server = await startShardServer();
  shard = await sixSamples(0);
  other = await sixSamples(100);
});
after(() => server.close());

async function read(path: string, remote: RemoteShardOptions, lines: string[] = []): Promise<string[]> {
  const spec = new DatasetSpec({ shards: `${server.base}${path}`, remote: { ...remote, log: (l) => lines.push(l) } });
  const samples = await collect(spec.open({ reporter: collectingReporter() }));
  for (const s of samples) assert.equal(s.files.get('jpg')?.[0], Number(s.meta.key.slice(1)), `bytes of ${s.meta.key}`);
  return samples.map((s) => s.meta.key);
}

const ALL = ['k0', 'k1', 'k2', 'k3', 'k4', 'k5'];

test('a dropped connection resumes with Range where the server allows it; every sample once', async () => {
  server.routes.set('/range.tar', { body: shard, dropAfter: (n) => (n <= 2 ? 7000 * n : undefined) });
  const lines: string[] = [];
  assert.deepEqual(await read('/range.tar', FAST, lines), ALL);
  assert.deepEqual(server.requests.get('/range.tar'), [null, 'bytes=7000-', 'bytes=21000-']);
  assert.match(lines[0] ?? '', /range\.tar': attempt 1 of 4 failed .*retrying in 10 ms, resuming at byte 7000 with Range/);
  assert.match(lines[1] ?? '', /attempt 2 of 4 failed .*retrying in 20 ms/);
});

test('without Range support a dropped shard restarts and skips what was read; every sample once', async () => {
  server.routes.set('/norange.tar', { body: shard, ranges: false, dropAfter: (n) => (n === 1 ? 7000 : undefined) });
  const lines: string[] = [];
  assert.deepEqual(await read('/norange.tar', FAST, lines), ALL);
  assert.deepEqual(server.requests.get('/norange.tar'), [null, null]);
  assert.match(lines[0] ?? '', /restarting \(no Range support\), skipping 7000 bytes/);
});

test('a shard that changed on the server between attempts is an error, never a splice', async () => {
  server.routes.set('/changed.tar', { body: (n) => (n === 1 ? shard : other), ranges: false, dropAfter: (n) => (n === 1 ? 7000 : undefined) });
  await assert.rejects(read('/changed.tar', FAST), /changed\.tar.*first 7000 bytes changed on the server/);
});

test('a slow link streams: the first sample arrives before the shard is sent, throttled writes complete', async () => {
  let open!: () => void;
  server.routes.set('/gated.tar', { body: shard, gate: { after: 6000, open: new Promise<void>((resolve) => (open = resolve)) } });
  const stream = new DatasetSpec({ shards: `${server.base}/gated.tar`, remote: FAST }).open({ reporter: collectingReporter() });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next(); // would hang if the reader waited for the whole body
  assert.equal(first.value?.meta.key, 'k0');
  open();
  const rest: string[] = [];
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value.meta.key);
  assert.deepEqual(rest, ALL.slice(1));

  server.routes.set('/slow.tar', { body: shard, throttle: { bytes: 1500, delayMs: 15 } }); // ~14 pieces, ~0.2 s, each gap < stall timeout
  assert.deepEqual(await read('/slow.tar', FAST), ALL);
  assert.equal(server.requests.get('/slow.tar')?.length, 1);
});

test('a stalled transfer times out and is resumed', async () => {
  server.routes.set('/stall.tar', { body: shard, stallAfter: (n) => (n === 1 ? 5000 : undefined) });
  const lines: string[] = [];
  assert.deepEqual(await read('/stall.tar', { ...FAST, stallTimeoutMs: 150 }, lines), ALL);
  assert.match(lines[0] ?? '', /no data for 150 ms at byte 5000.*resuming at byte 5000/);
});

test('shards are read as stored: no transfer encoding that would change lengths and ranges', async () => {
  server.routes.set('/cdn.tar', { body: shard, gzipWhenAccepted: true, dropAfter: (n) => (n === 1 ? 7000 : undefined) });
  assert.deepEqual(await read('/cdn.tar', FAST), ALL);
  assert.deepEqual(server.requests.get('/cdn.tar'), [null, 'bytes=7000-']);
});

test('a URL may pin its shard with #sha256=<hex>: checked once read (across a resume); a mismatch fails the shard', async () => {
  const digest = createHash('sha256').update(shard).digest('hex');
  assert.equal(expectedSha256(`http://h/a.tar#sha256=${digest.toUpperCase()}`), digest);
  assert.equal(expectedSha256('http://h/a.tar'), undefined);
  assert.ok(isGzipShard(`http://h/a.tar.gz?x=1#sha256=${digest}`));
  server.routes.set('/pinned.tar', { body: shard, dropAfter: (n) => (n === 1 ? 7000 : undefined) });
  assert.deepEqual(await read(`/pinned.tar#sha256=${digest}`, FAST), ALL);
  assert.deepEqual(server.requests.get('/pinned.tar'), [null, 'bytes=7000-'], 'the fragment is not sent');
  const wrong = '0'.repeat(64);
  await assert.rejects(read(`/pinned.tar#sha256=${wrong}`, FAST), new RegExp(`pinned\\.tar#sha256=0+': sha256 of the ${shard.length} bytes received is ${digest}, not the 0+ its URL names`));
});

test('404 fails at once; 500 is retried, then named with URL and attempts; a transient 503 recovers', async () => {
  await assert.rejects(read('/missing.tar', FAST), (error: Error) => {
    assert.match(error.message, /cannot fetch shard 'http:\/\/127\.0\.0\.1:\d+\/missing\.tar': HTTP 404/);
    return true;
  });
  assert.equal(server.requests.get('/missing.tar')?.length, 1);

  server.routes.set('/down.tar', { body: shard, status: () => 500 });
  await assert.rejects(read('/down.tar', { ...FAST, retries: 2 }), /cannot fetch shard 'http:\/\/[^']+\/down\.tar': gave up after 3 attempts; last: HTTP 500/);
  assert.equal(server.requests.get('/down.tar')?.length, 3);

  server.routes.set('/flaky.tar', { body: shard, status: (n) => (n === 1 ? 503 : undefined) });
  assert.deepEqual(await read('/flaky.tar', FAST), ALL);
});

test('a connection dropped on every attempt fails the shard naming URL, attempts and the sample being read', async () => {
  server.routes.set('/always-drops.tar', { body: shard, ranges: false, dropAfter: () => 7000 });
  await assert.rejects(read('/always-drops.tar', { ...FAST, retries: 1 }), (error: Error) => {
    assert.match(error.message, /key k1, shard http:\/\/[^ ]+\/always-drops\.tar/);
    assert.match(error.message, /gave up after 2 attempts; last: .*at byte 7000/);
    return true;
  });
});

test('backoff doubles and is capped; an abort stops the wait', async () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((r) => retryDelay(r, {})), [1000, 2000, 4000, 8000, 16000, 30000]);
  assert.deepEqual([1, 2, 3].map((r) => retryDelay(r, { retryDelayMs: 50, maxRetryDelayMs: 120 })), [50, 100, 120]);
  server.routes.set('/abort.tar', { body: shard, status: () => 500 });
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(new Error('stop')), 50);
  await assert.rejects(collect(httpShardBytes(`${server.base}/abort.tar`, { retries: 5, retryDelayMs: 10_000 }, controller.signal)), /stop|abort/i);
  assert.ok(Date.now() - started < 2000, 'abort interrupts the backoff');
});
