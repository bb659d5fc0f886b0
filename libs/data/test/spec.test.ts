import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { expandShardSpec, formatShardPath, parseMemberName, unsafePathReason } from '../src/index.js';
import { tempDir } from './helpers.js';

test('expandShardSpec: brace ranges keep zero padding and are not limited to 1000 shards', async () => {
  assert.deepEqual(await expandShardSpec('data/train-{000008..000011}.tar'), [
    'data/train-000008.tar',
    'data/train-000009.tar',
    'data/train-000010.tar',
    'data/train-000011.tar',
  ]);
  const many = await expandShardSpec('s-{000000..001281}.tar');
  assert.equal(many.length, 1282);
  assert.equal(many[1281], 's-001281.tar');
});

test('expandShardSpec: lists, joined specs (array and ::), URLs', async () => {
  assert.deepEqual(await expandShardSpec('{a,b}.tar'), ['a.tar', 'b.tar']);
  assert.deepEqual(await expandShardSpec(['x-{0..1}.tar', 'http://h/y.tar']), ['x-0.tar', 'x-1.tar', 'http://h/y.tar']);
  assert.deepEqual(await expandShardSpec('a.tar::https://h:8080/b-{1..2}.tgz'), ['a.tar', 'https://h:8080/b-1.tgz', 'https://h:8080/b-2.tgz']);
  await assert.rejects(expandShardSpec(''), /names no shards/);
});

test('expandShardSpec: shard-list files resolve relative entries and skip comments', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const list = path.join(dir, 'train.txt');
    fs.writeFileSync(list, '# shards\nshards/a-{0..1}.tar\n\n/abs/b.tar\nhttp://h/c.tar\n');
    assert.deepEqual(await expandShardSpec(`@${list}`), [
      path.join(dir, 'shards/a-0.tar'),
      path.join(dir, 'shards/a-1.tar'),
      '/abs/b.tar',
      'http://h/c.tar',
    ]);
    await assert.rejects(expandShardSpec(`@${dir}/missing.txt`), /cannot read shard-list file/);
  } finally {
    cleanup();
  }
});

test('parseMemberName follows webdataset: key up to the first dot of the basename, folders kept, lower case', () => {
  assert.deepEqual(parseMemberName('a/b/img.0001.JPG'), { kind: 'member', key: 'a/b/img', extension: '0001.jpg' });
  assert.deepEqual(parseMemberName('x.seg.png'), { kind: 'member', key: 'x', extension: 'seg.png' });
  assert.deepEqual(parseMemberName('./dir.v2/x.cls'), { kind: 'member', key: 'dir.v2/x', extension: 'cls' });
  assert.equal(parseMemberName('README').kind, 'ignored');
  assert.equal(parseMemberName('dir/._x.jpg').kind, 'ignored');
  assert.equal(parseMemberName('.hidden.jpg').kind, 'ignored');
  assert.equal(parseMemberName('__meta__.json').kind, 'ignored');
  assert.equal(parseMemberName('x.').kind, 'ignored');
  assert.equal(parseMemberName('../etc/passwd.txt').kind, 'unsafe');
  assert.equal(parseMemberName('/etc/passwd.txt').kind, 'unsafe');
  assert.equal(parseMemberName('a/../../b.jpg').kind, 'unsafe');
  assert.equal(unsafePathReason('a/b..c/d.jpg'), undefined);
});

test('formatShardPath formats printf-style fields', () => {
  assert.equal(formatShardPath('out/train-%06d.tar', 12), 'out/train-000012.tar');
  assert.equal(formatShardPath('s%d.tar', 7), 's7.tar');
  assert.throws(() => formatShardPath('out.tar', 0), /exactly one %d/);
});

test('a self-referencing or cyclic shard list is refused, naming the cycle; nesting is bounded (issue 14.12)', { timeout: 5000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const self = path.join(dir, 'self.txt');
    fs.writeFileSync(self, '@self.txt\n');
    await assert.rejects(expandShardSpec(`@${self}`), (error: Error) => /cycle/.test(error.message) && error.message.includes('self.txt'));
    // The reproduction: a relative list in the working folder (this hung at 100% CPU).
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      await assert.rejects(expandShardSpec('@self.txt'), /cycle: self\.txt → self\.txt/);
    } finally {
      process.chdir(cwd);
    }
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'a.txt'), 'x.tar\n@sub/b.txt\n');
    fs.writeFileSync(path.join(dir, 'sub', 'b.txt'), '@../a.txt\n');
    await assert.rejects(expandShardSpec(`@${dir}/a.txt`), (error: Error) => /cycle/.test(error.message) && error.message.includes('b.txt'));
    // A chain deeper than the bound is refused even without a cycle.
    for (let i = 0; i < 40; i += 1) fs.writeFileSync(path.join(dir, `l${i}.txt`), `@l${i + 1}.txt\n`);
    fs.writeFileSync(path.join(dir, 'l40.txt'), 'end.tar\n');
    await assert.rejects(expandShardSpec(`@${dir}/l0.txt`), /nested more than \d+ levels/);
  } finally {
    cleanup();
  }
});

test('nested shard lists resolve against their own folder; the same list twice (no cycle) is fine', async () => {
  const { dir, cleanup } = tempDir();
  try {
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'top.txt'), '@sub/inner.txt\n@sub/inner.txt\n');
    fs.writeFileSync(path.join(dir, 'sub', 'inner.txt'), 'a-{0..1}.tar\n');
    const inner = [path.join(dir, 'sub', 'a-0.tar'), path.join(dir, 'sub', 'a-1.tar')];
    assert.deepEqual(await expandShardSpec(`@${dir}/top.txt`), [...inner, ...inner]);
  } finally {
    cleanup();
  }
});

test('a brace range naming billions of shards is refused at once instead of exhausting memory (issue 14.12, same class)', { timeout: 5000 }, async () => {
  await assert.rejects(expandShardSpec('s-{000000000000..999999999999}.tar'), /names 1000000000000 shards, more than 10000000/);
  await assert.rejects(expandShardSpec('s-{0..99999}-{0..99999}.tar'), /names 10000000000 shards/);
  assert.equal((await expandShardSpec('s-{0..9}-{a,b}.tar')).length, 20);
});
