import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions, type RemoteShardFlags } from '../../src/cli/remote-shard-options.js';
import { UsageError } from '../../src/cli/errors.js';

const defaults: RemoteShardFlags = { cacheDir: undefined, cacheSize: '50GB', shardRetries: 5, shardTimeout: 60 };

test('the remote-shard flags become the DatasetSpec remote config: retries, stall timeout, cache with its budget', () => {
  assert.deepEqual(remoteShardOptions(defaults), { retries: 5, stallTimeoutMs: 60_000 });
  const dir = path.join('/tmp', 'vqrae-cache-flags');
  const remote = remoteShardOptions({ ...defaults, cacheDir: dir, cacheSize: '2GiB', shardRetries: 0, shardTimeout: 5 });
  assert.equal(remote.retries, 0);
  assert.equal(remote.stallTimeoutMs, 5000);
  assert.equal(remote.cache?.dir, dir);
  assert.equal(remote.cache?.maxBytes, 2 * 2 ** 30);
  assert.equal(remote.cache?.describe(), `cache(${dir}, 2.15 GB)`);
  const lines: string[] = [];
  remoteShardOptions(defaults, { info: () => undefined, warn: (m) => lines.push(m), error: () => undefined }).log?.('retrying');
  assert.deepEqual(lines, ['retrying']);
});

test('a bad --cache-size is a usage error naming the flag; the flags are declared once with their defaults', () => {
  assert.throws(() => remoteShardOptions({ ...defaults, cacheDir: '/tmp/x', cacheSize: 'big' }), (error: Error) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^--cache-size: 'big' is not a size/);
    return true;
  });
  assert.equal(REMOTE_SHARD_OPTIONS.shardRetries.default, 5);
  assert.equal(REMOTE_SHARD_OPTIONS.cacheSize.default, '50GB');
});
