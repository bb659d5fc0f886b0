import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { buildTar, tempDir } from './helpers.js';
import { startShardServer, type ShardServer } from './shard-server.js';

// Two real processes on one cache folder (~10 s under load: two tsx start-ups). The same race between two cache
// objects in one process is in shard-cache.test.ts; the lock is a file, so the logic is the same.

let server: ShardServer;
let shard: Buffer;
const temp = tempDir('vqrae-cache-procs-');
before(async () => {
  server = await startShardServer();
  shard = await buildTar([0, 1, 2].flatMap((i) => [{ name: `k${i}.jpg`, data: Buffer.alloc(3000, i) }, { name: `k${i}.cls`, data: `${i}` }]));
});
after(async () => {
  await server.close();
  temp.cleanup();
});

const requests = (name: string): number => server.requests.get(`/${name}.tar`)?.length ?? 0;

/** Runs `cache-reader.ts` in its own process. */
function readInChild(url: string, dir: string): Promise<{ keys: string[]; lines: string[] }> {
  const script = path.join(path.dirname(new URL(import.meta.url).pathname), 'cache-reader.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, url, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { keys: string[]; lines: string[] }) : reject(new Error(`cache-reader exited ${code}`))));
  });
}

test('two processes fetching one shard at once: one entry, written once, complete; both get every sample', async () => {
  const dir = path.join(temp.dir, 'processes');
  let open!: () => void;
  server.routes.set('/shared.tar', { body: shard, gate: { after: 6000, open: new Promise<void>((resolve) => (open = resolve)) } });
  const runs = [readInChild(`${server.base}/shared.tar`, dir), readInChild(`${server.base}/shared.tar`, dir)];
  const deadline = Date.now() + 20_000;
  while (requests('shared') < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  open(); // both are now inside the same shard's body
  const results = await Promise.all(runs);
  assert.deepEqual(results.map((r) => r.keys), [['k0', 'k1', 'k2'], ['k0', 'k1', 'k2']]);
  assert.equal(results.filter((r) => r.lines.some((l) => /another process is caching it/.test(l))).length, 1);
  const names = fs.readdirSync(dir).sort();
  assert.deepEqual(names.map((n) => n.replace(/^[0-9a-f]{16}-/, '')), ['shared.tar', 'shared.tar.json']);
  assert.deepEqual(fs.readFileSync(path.join(dir, names[0]!)), shard);
});

