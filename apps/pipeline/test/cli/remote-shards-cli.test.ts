import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { ShardWriter } from '@vqrae/data';
import { runCli, tempDir } from './helpers.js';

/** Runs the CLI, also capturing what `shards ls` writes straight to process.stdout. */
async function runCapturing(args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    const run = await runCli(args);
    return { code: run.code, out: out + run.stdout, err: run.stderr };
  } finally {
    process.stdout.write = write;
  }
}

test('vqrae shards ls over http with --cache-dir: the second listing is served from the cache; bad --cache-size is exit 2', async () => {
  const temp = tempDir('vqrae-remote-cli-');
  const writer = new ShardWriter({ pattern: path.join(temp.dir, 'src-%03d.tar'), mtime: new Date(0) });
  for (const key of ['a', 'b']) await writer.write({ key, files: { cls: new TextEncoder().encode(key) } });
  await writer.close();
  const shard = fs.readFileSync(path.join(temp.dir, 'src-000.tar'));
  let requests = 0;
  let drops = 1; // the first request dies half-way: --shard-retries brings it back
  const server = http.createServer((_req, res) => {
    requests += 1;
    res.writeHead(200, { 'content-length': String(shard.length) });
    if (drops-- > 0) res.write(shard.subarray(0, 600), () => res.destroy());
    else res.end(shard);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/shard.tar`;
  const cacheDir = path.join(temp.dir, 'cache');
  try {
    const first = await runCapturing(['shards', 'ls', url, '--cache-dir', cacheDir, '--cache-size', '10MB', '--shard-retries', '2']);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /total: 2 samples in 1 shards/);
    assert.equal(requests, 2);
    const second = await runCapturing(['shards', 'ls', url, '--cache-dir', cacheDir]);
    assert.match(second.out, /^a\t.*shard\.tar/m);
    assert.equal(requests, 2, 'served from the cache');
    const bad = await runCapturing(['shards', 'ls', url, '--cache-dir', cacheDir, '--cache-size', 'huge']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--cache-size: 'huge' is not a size/);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    temp.cleanup();
  }
});
