import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { OpenForWrite } from '@vqrae/graph';
import { listImageFiles, packImages, ShardWriter } from '../src/index.js';
import { mountSmallTmpfs } from '../../../tools/testing/small-tmpfs.js';
import { WORKSPACE_ROOT } from '../../../tools/testing/fixtures.js';
import { tempDir } from './helpers.js';

/** Real files whose writes fail with ENOSPC once `capacity` bytes were written (a full disk, injected). */
function diskOf(capacity: number): OpenForWrite {
  let used = 0;
  return async (file) => {
    const handle = await fs.promises.open(file, 'w');
    return {
      write: async (data) => {
        if (used + data.length > capacity) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
        used += data.length;
        return handle.write(data);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  };
}

const sample = (i: number) => ({ key: `img${i}`, files: new Map([['bin', new Uint8Array(4000).fill(i)]]) });

test('ShardWriter on a full disk (injected): the error names the shard, no temporary is left, nothing under the final name (issue 14.5)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pattern = path.join(dir, 's-%06d.tar');
    const writer = new ShardWriter({ pattern, maxSamples: 100, open: diskOf(10_000) });
    await assert.rejects(async () => {
      try {
        for (let i = 0; i < 20; i++) await writer.write(sample(i));
        await writer.close();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    }, (error: Error & { code?: string }) => {
      assert.match(error.message, /s-000000\.tar.*ENOSPC.*disk is full/);
      assert.equal(error.code, 'ENOSPC');
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), [], 'neither the shard nor its temporary file remains');
  } finally {
    cleanup();
  }
});

test('ShardWriter removes temporaries of dead processes on the next run and keeps those of live ones (issue 14.5)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const pattern = path.join(dir, 's-%06d.tar');
    const deadPid = 2 ** 22 + 12345; // above pid_max: never a live process
    fs.writeFileSync(path.join(dir, `s-000000.tar.tmp-${deadPid}`), 'half a shard');
    fs.writeFileSync(path.join(dir, `s-000003.tar.tmp-${process.ppid}`), 'a live writer');
    fs.writeFileSync(path.join(dir, `other.tar.tmp-${deadPid}`), 'not ours: another pattern');
    const writer = new ShardWriter({ pattern, maxSamples: 100 });
    await writer.write(sample(1));
    await writer.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), [`other.tar.tmp-${deadPid}`, 's-000000.tar', `s-000003.tar.tmp-${process.ppid}`]);
  } finally {
    cleanup();
  }
});

test('packImages into a full tmpfs fails naming the shard and leaves no temporary, run after run (issue 14.5)', async (t) => {
  const disk = mountSmallTmpfs(64);
  if ('skip' in disk) {
    t.skip(disk.skip);
    return;
  }
  try {
    const files = await listImageFiles(path.join(WORKSPACE_ROOT, 'assets/images'));
    const pattern = path.join(disk.dir, 'full-%06d.tar');
    for (let run = 0; run < 2; run++) {
      await assert.rejects(packImages(files, { pattern, maxSamples: 100 }), (error: Error) => {
        assert.match(error.message, /full-000000\.tar.*(ENOSPC|disk is full)/);
        return true;
      });
      assert.deepEqual(fs.readdirSync(disk.dir), [], `run ${run}: no shard, no temporary file`);
    }
  } finally {
    disk.unmount();
  }
});

test('ShardWriter refuses a key written twice into one shard (shards check would reject the duplicate member) (issue 14.3)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const writer = new ShardWriter({ pattern: path.join(dir, 'd-%06d.tar') });
    await writer.write(sample(1));
    await assert.rejects(writer.write(sample(1)), /key 'img1' written twice into '.*d-000000\.tar'/);
    await writer.abort();
    assert.deepEqual(fs.readdirSync(dir), []);
  } finally {
    cleanup();
  }
});
