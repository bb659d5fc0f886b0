import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTokenTable, encodeTokenTable, type TokenRow } from '../../src/dump/token-table.js';

const layout = (codebookSize: number) => ({
  gridH: 2,
  gridW: 3,
  codebookSize,
  passThrough: { label: true, caption: true, json: false },
  metadata: new Map([['vqrae.checkpoint_sha256', 'abc']]),
});

test('token table round-trips rows, grid shape, pass-through fields and metadata (uint16)', () => {
  const rows: TokenRow[] = [
    { key: 'a/000', shard: 's0.tar', tokens: Int32Array.from([0, 1, 2, 3, 4, 65535]), label: 7, caption: 'a cat' },
    { key: 'a/001', shard: 's0.tar', tokens: Int32Array.from([9, 8, 7, 6, 5, 4]) },
  ];
  const back = decodeTokenTable(encodeTokenTable(rows, layout(65536)));
  assert.equal(back.gridH, 2);
  assert.equal(back.gridW, 3);
  assert.equal(back.metadata.get('vqrae.checkpoint_sha256'), 'abc');
  assert.deepEqual(back.rows, rows);
});

test('token table switches to int32 beyond 65536 codes and rejects out-of-range tokens', () => {
  const rows: TokenRow[] = [{ key: 'k', shard: 's', tokens: Int32Array.from([70000, 1, 2, 3, 4, 5]) }];
  assert.deepEqual(decodeTokenTable(encodeTokenTable(rows, layout(100000))).rows[0]!.tokens, rows[0]!.tokens);
  assert.throws(() => encodeTokenTable(rows, layout(65536)), /token 70000 outside/);
});
