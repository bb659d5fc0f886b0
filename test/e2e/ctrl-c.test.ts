import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { vqraeInterruptedWhen } from './helpers.js';

test('Ctrl-C during a command without its own cancellation (shards check on a stalled URL) exits 130 with "cancelled" (issue 14.9)', async () => {
  let requested = false;
  const stalled = new Set<http.ServerResponse>();
  const server = http.createServer((_request, response) => {
    requested = true; // answers nothing: the command waits on the shard until interrupted
    stalled.add(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/s-000000.tar`;
    const run = await vqraeInterruptedWhen(['shards', 'check', url], async () => requested);
    assert.ok(run.interrupted);
    assert.equal(run.code, 130, `exit code (stderr: ${run.stderr})`);
    assert.match(run.stderr, /vqrae shards: cancelled \(interrupted\)/);
  } finally {
    for (const response of stalled) response.destroy();
    server.close();
  }
});
