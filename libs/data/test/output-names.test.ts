import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputNames, shardStem } from '../src/index.js';

test('OutputNames refuses a repeated key (naming both shards, one shard, or none) and prefixes shard stems on request (issue 14.3)', () => {
  const names = new OutputNames();
  assert.equal(names.take('a/x', 'sa/a-000000.tar'), 'a/x');
  assert.throws(() => names.take('a/x', 'sb/b-000000.tar'), /^Error: key 'a\/x' appears twice \(shards 'sa\/a-000000\.tar' and 'sb\/b-000000\.tar'\): .*--prefix-shard/);
  assert.throws(() => names.take('a/x', 'sa/a-000000.tar'), /key 'a\/x' appears twice in shard 'sa\/a-000000\.tar'/);
  const unknown = new OutputNames();
  unknown.take('k', undefined);
  assert.throws(() => unknown.take('k', undefined), /^Error: key 'k' appears twice: /);
  const prefixed = new OutputNames({ prefixShard: true });
  assert.equal(prefixed.take('same', 'sa/a-000000.tar'), 'a-000000/same');
  assert.equal(prefixed.take('same', 'https://h/b-000000.tar.gz?x=1'), 'b-000000/same');
  assert.throws(() => prefixed.take('same', 'other/a-000000.tar'), /same file name; rename one/);
  assert.equal(shardStem('d/s.tgz'), 's');
});
