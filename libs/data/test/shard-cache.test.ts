import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { mulberry32 } from '../../../tools/testing/mulberry32.mjs';
import { collectingReporter, DatasetSpec, openRemoteShard, parseByteSize, ShardCache, type RemoteShardOptions } from '../src/index.js';
import { buildTar, collect, tempDir } from './helpers.js';
import { startShardServer, type ShardServer } from './shard-server.js';

let server: ShardServer;
let shard: Buffer;
const temp = tempDir('vqrae-cache-');
after(async () => {
  await server.close();
  temp.cleanup();
});

before(async () => {
  server = await startShardServer();
  shard = await buildTar([0, 1, 2].flatMap((i) => [{ name: `k${i}.jpg`, data: Buffer.alloc(3000, i) }, { name: `k${i}.cls`, data: `${i}` }]));
  for (const name of ['a', 'b', 'c', 'd', 'one', 'two', 'bad']) server.routes.set(`/${name}.tar`, { body: shard });
});

function remote(cache: ShardCache, lines: string[] = []): RemoteShardOptions {
  return { cache, retries: 1, retryDelayMs: 10, stallTimeoutMs: 2000, log: (l) => lines.push(l) };
}

async function keys(url: string, options: RemoteShardOptions): Promise<string[]> {
  const samples = await collect(new DatasetSpec({ shards: url, remote: options }).open({ reporter: collectingReporter() }));
  return samples.map((s) => s.meta.key);
}

/** Cached shard files (not side files, locks or temporaries), by URL file name. */
function entries(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((n) => !n.startsWith('.') && !n.endsWith('.json') && !n.endsWith('.lock'))
    .map((n) => n.replace(/^[0-9a-f]{16}-/, ''))
    .sort();
}

const requests = (name: string): number => server.requests.get(`/${name}.tar`)?.length ?? 0;

test('a remote shard is cached on first read and served from the cache after; file: shards are never copied', async () => {
  const dir = path.join(temp.dir, 'basic');
  const cache = new ShardCache({ dir, maxBytes: 1e9 });
  assert.deepEqual(await keys(`${server.base}/one.tar`, remote(cache)), ['k0', 'k1', 'k2']);
  assert.deepEqual(entries(dir), ['one.tar']);
  const [name] = fs.readdirSync(dir).filter((n) => n.endsWith('one.tar'));
  assert.deepEqual(fs.readFileSync(path.join(dir, name!)), shard);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')) as { length: number; etag?: string };
  assert.equal(meta.length, shard.length);
  assert.ok(meta.etag);
  assert.deepEqual(await keys(`${server.base}/one.tar`, remote(cache)), ['k0', 'k1', 'k2']);
  assert.equal(requests('one'), 1, 'the second read never reaches the server');

  const local = path.join(temp.dir, 'local.tar');
  fs.writeFileSync(local, shard);
  assert.deepEqual(await keys(pathToFileURL(local).href, remote(cache)), ['k0', 'k1', 'k2']);
  assert.deepEqual(await keys(local, remote(cache)), ['k0', 'k1', 'k2']);
  assert.deepEqual(entries(dir), ['one.tar']);
});

test('a shard that fails is not cached; a stopped reader leaves a complete entry or none; no temporary file or lock', async () => {
  const dir = path.join(temp.dir, 'partial');
  const cache = new ShardCache({ dir, maxBytes: 1e9 });
  const spec = new DatasetSpec({ shards: `${server.base}/two.tar`, limit: 1, remote: remote(cache) });
  assert.equal((await collect(spec.open({ reporter: collectingReporter() }))).length, 1);
  server.routes.set('/broken.tar', { body: shard, dropAfter: () => 5000 });
  await assert.rejects(keys(`${server.base}/broken.tar`, remote(cache)), /gave up after 2 attempts/);
  // The small shard may have been read to its end by the streams' buffers before the reader stopped.
  const left = fs.readdirSync(dir);
  assert.ok(left.every((n) => !n.startsWith('.') && !n.endsWith('.lock') && !n.includes('broken')), left.join(', '));
  for (const n of left.filter((n) => n.endsWith('two.tar'))) assert.deepEqual(fs.readFileSync(path.join(dir, n)), shard);
});

/** A shard far larger than the streams' buffers (seeded noise does not compress): a reader stopping early leaves most unread. */
async function largeShard(): Promise<Buffer> {
  const random = mulberry32(17);
  const noise = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  return buildTar(Array.from({ length: 24 }, (_, i) => ({ name: `big${String(i).padStart(2, '0')}.bin`, data: noise(256 * 1024) })));
}

/** Locks and partial entries in a cache folder (what a writer holds while it streams). */
const held = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.lock') || n.startsWith('.')) : []);

test('a reader that stops early (.tar, .tar.gz, or destroyed before its first read) has released the lock and partial entry when it returns', async () => {
  const big = await largeShard();
  server.routes.set('/big.tar', { body: big });
  server.routes.set('/big.tar.gz', { body: zlib.gzipSync(big) });
  for (const name of ['big.tar', 'big.tar.gz']) {
    const dir = path.join(temp.dir, `stopped-${name}`);
    const spec = new DatasetSpec({ shards: `${server.base}/${name}`, limit: 1, remote: remote(new ShardCache({ dir, maxBytes: 1e9 })) });
    assert.equal((await collect(spec.open({ reporter: collectingReporter() }))).length, 1);
    assert.deepEqual(held(dir), [], `${name}: nothing held once the read has returned`);
    assert.deepEqual(entries(dir), [], `${name}: stopped long before its end, so not cached`);
  }
  const dir = path.join(temp.dir, 'stopped-unread');
  const stream = await openRemoteShard(`${server.base}/big.tar`, remote(new ShardCache({ dir, maxBytes: 1e9 })));
  assert.equal(held(dir).length > 0, true, 'the writer holds its lock while the shard streams');
  stream.destroy();
  await new Promise((resolve) => stream.once('close', resolve));
  assert.deepEqual(held(dir), [], 'closed means released, even unread');
});

test('a local .tar.gz shard read only in part has closed its file when the read returns', async () => {
  const file = path.join(temp.dir, 'big-local.tar.gz');
  fs.writeFileSync(file, zlib.gzipSync(await largeShard()));
  const openFiles = (): number => fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false;
    }
  }).length;
  const samples = await collect(new DatasetSpec({ shards: file, limit: 1 }).open({ reporter: collectingReporter() }));
  assert.equal(samples.length, 1);
  assert.equal(openFiles(), 0);
});

test('a corrupted or truncated cache entry is detected, removed and fetched again', async () => {
  const dir = path.join(temp.dir, 'corrupt');
  const cache = new ShardCache({ dir, maxBytes: 1e9 });
  const url = `${server.base}/bad.tar`;
  await keys(url, remote(cache));
  const [name] = fs.readdirSync(dir).filter((n) => n.endsWith('bad.tar'));
  const file = path.join(dir, name!);
  const bytes = fs.readFileSync(file);
  bytes[600] ^= 0xff; // inside k0.jpg's data: the tar still parses, only the checksum can tell
  fs.writeFileSync(file, bytes);
  await assert.rejects(keys(url, remote(cache)), /cached copy .*bad\.tar.* fails its integrity check/);
  assert.deepEqual(entries(dir), []);
  assert.deepEqual(await keys(url, remote(cache)), ['k0', 'k1', 'k2']);
  assert.equal(requests('bad'), 2);

  fs.truncateSync(file, 1000); // shorter than its side file says: a miss, fetched again
  assert.deepEqual(await keys(url, remote(cache)), ['k0', 'k1', 'k2']);
  assert.equal(requests('bad'), 3);
  assert.deepEqual(fs.readFileSync(file), shard);
});

test('two readers of one shard at once: one writes the entry, the other streams; both get every sample', async () => {
  const dir = path.join(temp.dir, 'race');
  let open!: () => void;
  server.routes.set('/race.tar', { body: shard, gate: { after: 6000, open: new Promise<void>((resolve) => (open = resolve)) } });
  const lines: string[] = [];
  // Two caches on one folder, as two processes would have (the lock is per file, not per object).
  const first = keys(`${server.base}/race.tar`, remote(new ShardCache({ dir, maxBytes: 1e9 }), lines));
  const second = keys(`${server.base}/race.tar`, remote(new ShardCache({ dir, maxBytes: 1e9 }), lines));
  while (requests('race') < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  open();
  assert.deepEqual(await Promise.all([first, second]), [['k0', 'k1', 'k2'], ['k0', 'k1', 'k2']]);
  assert.ok(lines.some((l) => /another process is caching it; streaming without caching/.test(l)), lines.join('\n'));
  assert.deepEqual(fs.readdirSync(dir).sort().map((n) => n.replace(/^[0-9a-f]{16}-/, '')), ['race.tar', 'race.tar.json']);
  assert.deepEqual(fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((n) => n.endsWith('race.tar'))!)), shard);
});

test('a lock left by a dead process is taken over', async () => {
  const dir = path.join(temp.dir, 'stale');
  const cache = new ShardCache({ dir, maxBytes: 1e9 });
  fs.mkdirSync(dir, { recursive: true });
  const url = `${server.base}/d.tar`;
  await keys(url, remote(cache));
  const [name] = fs.readdirSync(dir).filter((n) => n.endsWith('d.tar'));
  fs.rmSync(path.join(dir, name!));
  fs.writeFileSync(path.join(dir, `${name}.lock`), JSON.stringify({ pid: 2 ** 22 + 7, hostname: (await import('node:os')).hostname() }));
  await keys(url, remote(cache));
  assert.deepEqual(entries(dir), ['d.tar']);
  assert.equal(fs.existsSync(path.join(dir, `${name}.lock`)), false);
});

test('eviction removes the least recently used shards first, down to the size budget', async () => {
  const dir = path.join(temp.dir, 'lru');
  const lines: string[] = [];
  const cache = new ShardCache({ dir, maxBytes: shard.length * 2 + 100 }); // room for two shards
  const read = (name: string): Promise<string[]> => keys(`${server.base}/${name}.tar`, remote(cache, lines));
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20)); // distinct mtimes
  await read('a');
  await pause();
  await read('b');
  await pause();
  await read('a'); // a hit: a becomes the most recently used
  await pause();
  await read('c'); // over budget: b goes
  assert.deepEqual(entries(dir), ['a.tar', 'c.tar']);
  assert.ok(lines.some((l) => /evicted 1 least recently used/.test(l)));
  const before = requests('a');
  await read('a');
  assert.equal(requests('a'), before, 'a stayed cached');

  const tiny = new ShardCache({ dir: path.join(temp.dir, 'tiny'), maxBytes: 100 }); // smaller than any shard
  assert.deepEqual(await keys(`${server.base}/a.tar`, remote(tiny)), ['k0', 'k1', 'k2']);
  assert.deepEqual(entries(tiny.dir), []);
});

test('a pinned URL (#sha256=) is cached only with that content and a cached entry must match it', async () => {
  const dir = path.join(temp.dir, 'pinned');
  const cache = new ShardCache({ dir, maxBytes: 1e9 });
  const digest = createHash('sha256').update(shard).digest('hex');
  server.routes.set('/p.tar', { body: shard });
  await assert.rejects(keys(`${server.base}/p.tar#sha256=${'1'.repeat(64)}`, remote(cache)), /sha256 of the \d+ bytes received is/);
  assert.deepEqual(entries(dir), [], 'content that fails its pin is never cached');
  assert.deepEqual(await keys(`${server.base}/p.tar#sha256=${digest}`, remote(cache)), ['k0', 'k1', 'k2']);
  assert.deepEqual(await keys(`${server.base}/p.tar#sha256=${digest}`, remote(cache)), ['k0', 'k1', 'k2']);
  assert.equal(requests('p'), 2, 'the verified entry serves the second read');
});

test('a cache folder that cannot be used does not fail the shard: it is streamed and the reason logged', async () => {
  const blocker = path.join(temp.dir, 'not-a-folder');
  fs.writeFileSync(blocker, 'x');
  const lines: string[] = [];
  const cache = new ShardCache({ dir: path.join(blocker, 'cache'), maxBytes: 1e9 });
  assert.deepEqual(await keys(`${server.base}/one.tar`, remote(cache, lines)), ['k0', 'k1', 'k2']);
  assert.match(lines.join('\n'), /one\.tar': cache cache\(.*not-a-folder\/cache, 1 GB\) unusable \(cannot create the shard cache folder .*ENOTDIR.*streaming without caching/);
});

test('cache sizes parse with units and refuse nonsense', () => {
  assert.equal(parseByteSize('50GB'), 50e9);
  assert.equal(parseByteSize('500 mb'), 500e6);
  assert.equal(parseByteSize('2GiB'), 2 * 2 ** 30);
  assert.equal(parseByteSize('1000'), 1000);
  assert.throws(() => parseByteSize('lots'), /'lots' is not a size/);
  assert.throws(() => parseByteSize('0'), /not a positive size/);
  assert.throws(() => new ShardCache({ dir: temp.dir, maxBytes: 0 }), /size must be > 0/);
});
