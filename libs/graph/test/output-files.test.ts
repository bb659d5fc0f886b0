import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { removeStaleTemporaries, temporaryOwnerPid, writeFileAtomic, type OpenForWrite } from '../src/index.js';

/** Opens real files whose first write fails as on a full disk. */
const fullDisk: OpenForWrite = async (file) => {
  const handle = await fs.promises.open(file, 'w');
  return {
    write: async () => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
    sync: () => handle.sync(),
    close: () => handle.close(),
  };
};

test('writeFileAtomic on a full disk names the file, keeps the previous content and leaves no temporary (issue 14.5)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-graph-files-'));
  try {
    const file = path.join(dir, 'summary.json');
    await writeFileAtomic(file, '{"ok":1}\n');
    assert.equal(fs.readFileSync(file, 'utf8'), '{"ok":1}\n');
    await assert.rejects(writeFileAtomic(file, '{"ok":2}\n', { open: fullDisk }), (error: Error & { code?: string }) => {
      assert.equal(error.message, `cannot write '${file}': ENOSPC: no space left on device, write (the disk is full)`);
      assert.equal(error.code, 'ENOSPC');
      return true;
    });
    assert.equal(fs.readFileSync(file, 'utf8'), '{"ok":1}\n', 'the previous summary survives');
    assert.deepEqual(fs.readdirSync(dir), ['summary.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('removeStaleTemporaries removes temporaries of dead processes only (issue 14.5)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-graph-files-'));
  try {
    const dead = 2 ** 22 + 777; // above Linux pid_max: never alive
    for (const name of [`.a.png.tmp-${dead}-3`, `b.tar.tmp-${dead}`, `.c.png.tmp-${process.ppid}-1`, 'd.png', 'e.tmp-x']) fs.writeFileSync(path.join(dir, name), 'x');
    assert.equal(temporaryOwnerPid(`b.tar.tmp-${dead}`), dead);
    assert.deepEqual((await removeStaleTemporaries(dir)).sort(), [`.a.png.tmp-${dead}-3`, `b.tar.tmp-${dead}`]);
    assert.deepEqual(fs.readdirSync(dir).sort(), [`.c.png.tmp-${process.ppid}-1`, 'd.png', 'e.tmp-x']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic removes its own stale temporaries of dead processes before writing (issue 14.5)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-graph-files-'));
  try {
    const dead = 2 ** 22 + 4242;
    for (const name of [`.stats.npz.tmp-${dead}-1`, `.other.npz.tmp-${dead}-1`]) fs.writeFileSync(path.join(dir, name), 'x');
    await writeFileAtomic(path.join(dir, 'stats.npz'), 'new');
    assert.deepEqual(fs.readdirSync(dir).sort(), [`.other.npz.tmp-${dead}-1`, 'stats.npz']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
