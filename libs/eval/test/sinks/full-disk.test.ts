import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Field, Float64, makeData, RecordBatch, Schema, Struct, vectorFromArray } from 'apache-arrow';
import { AtomicArrowFile, readNpzArrays, writeNpz } from '../../src/index.js';
import { mountSmallTmpfs } from '../../../../tools/testing/small-tmpfs.js';

const npz = (n: number) => ({ x: { dtype: 'f8' as const, shape: [n], data: Float64Array.from({ length: n }, (_, i) => i) } });

test('writeNpz and AtomicArrowFile on a full disk: the error names the file, the previous file survives, no temporary is left (issue 14.5)', async (t) => {
  const disk = mountSmallTmpfs(64);
  if ('skip' in disk) {
    t.skip(disk.skip);
    return;
  }
  try {
    const stats = path.join(disk.dir, 'stats.npz');
    await writeNpz(stats, npz(4)); // a previous run's file
    await assert.rejects(writeNpz(stats, npz(20_000)), (error: Error) => {
      assert.match(error.message, /cannot write '.*stats\.npz'.*ENOSPC/);
      return true;
    });
    assert.deepEqual([...((await readNpzArrays(stats, ['x'])).get('x')!.data as Float64Array)], [0, 1, 2, 3], 'the previous statistics are intact');

    const schema = new Schema([new Field('v', new Float64(), false)]);
    const file = new AtomicArrowFile(path.join(disk.dir, 'metrics.arrow'), schema);
    const column = vectorFromArray(Array.from({ length: 20_000 }, (_, i) => i), new Float64()).data[0]!;
    await assert.rejects(async () => {
      file.write(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 20_000, nullCount: 0, children: [column] })));
      await file.close();
    }, /metrics\.arrow.*ENOSPC/);
    await file.abort();
    assert.deepEqual(fs.readdirSync(disk.dir).sort(), ['stats.npz'], 'no metrics.arrow and no temporary files');
  } finally {
    disk.unmount();
  }
});
