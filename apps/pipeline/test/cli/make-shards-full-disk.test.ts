import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { mountSmallTmpfs } from '../../../../tools/testing/small-tmpfs.js';
import { WORKSPACE_ROOT } from '../../../../tools/testing/fixtures.js';
import { runCli } from './helpers.js';

test('make-shards on a full disk exits 1 naming the shard, with no stack trace and no *.tar.tmp-<pid> left, run after run (issue 14.5)', async (t) => {
  const disk = mountSmallTmpfs(64);
  if ('skip' in disk) {
    t.skip(disk.skip);
    return;
  }
  try {
    const pattern = path.join(disk.dir, 'full', 's-%06d.tar');
    for (let run = 0; run < 2; run++) {
      const r = await runCli(['make-shards', path.join(WORKSPACE_ROOT, 'assets/images'), pattern]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /^vqrae: cannot write '.*\/full\/s-000000\.tar': ENOSPC: no space left on device, write \(the disk is full\)\n$/);
      assert.deepEqual(fs.readdirSync(path.join(disk.dir, 'full')), [], `run ${run}: no shard and no temporary file`);
    }
  } finally {
    disk.unmount();
  }
});
