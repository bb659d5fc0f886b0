import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listPatternFiles } from '../src/index.js';

test('listPatternFiles finds the shards a pattern produced, not temporaries or other names (issue 14.4)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-pattern-'));
  try {
    for (const name of ['s-000000.tar', 's-000017.tar', 's-000001.tar.tmp-42', 's-abc.tar', 'x-000000.tar', 's-0000001.tar', 's-000002.tar.gz']) {
      fs.writeFileSync(path.join(dir, name), '');
    }
    const found = await listPatternFiles(path.join(dir, 's-%06d.tar'));
    assert.deepEqual(found.map((f) => [path.basename(f.path), f.index]), [['s-000000.tar', 0], ['s-0000001.tar', 1], ['s-000017.tar', 17]]);
    assert.deepEqual(await listPatternFiles(path.join(dir, 'absent', 's-%d.tar')), []);
    await assert.rejects(listPatternFiles(path.join(dir, 's.tar')), /needs exactly one %d field/);
    await assert.rejects(listPatternFiles(path.join(dir, 's-000000.tar', 'x-%d.tar')), /s-000000\.tar is not a folder/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
