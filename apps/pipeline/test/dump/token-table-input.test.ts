import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as arrow from 'apache-arrow';
import { decodeTokenTable, encodeTokenTable, tokenFiles, tokenRowSource, type TokenRow } from '@vqrae/tokens';
import { runCli, tempDir } from '../cli/helpers.js';

const TOKENS = [0, 1, 2, 3, 4, 65535, 9, 8, 7, 6, 5, 4];

/** A token file as another tool (numpy/pyarrow) might write it: tokens as a (fixed-size) list of `itemType`. */
function foreignTable(itemType: arrow.DataType, values: ArrayLike<number | bigint>, options: { keys?: (string | null)[]; fixed?: boolean } = {}): Uint8Array {
  const n = 6;
  const rows = values.length / n;
  const child = arrow.makeData({ type: itemType as arrow.Int, length: values.length, data: values as never });
  const tokens = options.fixed === false
    ? arrow.makeVector(arrow.makeData({ type: new arrow.List(new arrow.Field('item', itemType, true)), length: rows, nullCount: 0, valueOffsets: Int32Array.from({ length: rows + 1 }, (_, i) => i * n), child }))
    : arrow.makeVector(arrow.makeData({ type: new arrow.FixedSizeList(n, new arrow.Field('item', itemType, true)), length: rows, nullCount: 0, child }));
  const table = new arrow.Table({
    key: arrow.vectorFromArray(options.keys ?? Array.from({ length: rows }, (_, i) => `k${i}`), new arrow.Utf8()),
    shard: arrow.vectorFromArray(Array.from({ length: rows }, () => 's.tar'), new arrow.Utf8()),
    tokens,
    grid_h: arrow.makeVector(new BigInt64Array(rows).fill(2n)),
    grid_w: arrow.makeVector(new Int32Array(rows).fill(3)),
  });
  return arrow.tableToIPC(table, 'file');
}

test('token files of every integer width decode to the same tokens, List or FixedSizeList (issue 14.11)', () => {
  const cases: [string, arrow.DataType, ArrayLike<number | bigint>][] = [
    ['Int64 (numpy default)', new arrow.Int64(), BigInt64Array.from(TOKENS, BigInt)],
    ['Uint64', new arrow.Uint64(), BigUint64Array.from(TOKENS, BigInt)],
    ['Int32', new arrow.Int32(), Int32Array.from(TOKENS)],
    ['Uint32', new arrow.Uint32(), Uint32Array.from(TOKENS)],
    ['Uint16', new arrow.Uint16(), Uint16Array.from(TOKENS)],
  ];
  for (const [name, type, values] of cases) {
    for (const fixed of [true, false]) {
      const back = decodeTokenTable(foreignTable(type, values, { fixed }), 'ext.arrow');
      assert.deepEqual(back.rows.map((r) => [...r.tokens]), [TOKENS.slice(0, 6), TOKENS.slice(6)], `${name} fixed=${fixed}`);
      assert.deepEqual([back.gridH, back.gridW], [2, 3]);
    }
  }
  const small = [1, 2, 3, 4, 5, 6];
  assert.deepEqual([...decodeTokenTable(foreignTable(new arrow.Int8(), Int8Array.from(small)), 'i8.arrow').rows[0]!.tokens], small);
});

test('token files with float tokens, null keys, null tokens or out-of-range Int64 are refused naming file and row (issue 14.11)', () => {
  assert.throws(() => decodeTokenTable(foreignTable(new arrow.Float32(), Float32Array.of(1, 2, NaN, 4, 5, 6)), 'nan.arrow'),
    /nan\.arrow.*'tokens'.*Float.*integer/);
  assert.throws(() => decodeTokenTable(foreignTable(new arrow.Int32(), Int32Array.from(TOKENS), { keys: ['a', null] }), 'nullkey.arrow'),
    /nullkey\.arrow.*row 1.*'key' is null/);
  const big = BigInt64Array.from(TOKENS, BigInt);
  big[7] = 2n ** 60n;
  assert.throws(() => decodeTokenTable(foreignTable(new arrow.Int64(), big), 'big.arrow'), /big\.arrow.*row 1 \(key 'k1'\).*1152921504606846976/);
  // A null token list.
  const rows: TokenRow[] = [{ key: 'a', shard: 's', tokens: Int32Array.from(TOKENS.slice(0, 6)) }];
  const layout = { gridH: 2, gridW: 3, codebookSize: 65536, passThrough: { label: false, caption: false, json: false }, metadata: new Map() };
  const table = arrow.tableFromIPC(encodeTokenTable(rows, layout));
  const tokens = table.getChild('tokens')!.data[0]!;
  const nulled = arrow.makeData({ type: tokens.type, length: 1, nullCount: 1, nullBitmap: Uint8Array.of(0), child: tokens.children[0]! });
  const withNull = new arrow.Table({ key: table.getChild('key')!, shard: table.getChild('shard')!, tokens: arrow.makeVector(nulled), grid_h: table.getChild('grid_h')!, grid_w: table.getChild('grid_w')! });
  assert.throws(() => decodeTokenTable(arrow.tableToIPC(withNull, 'file'), 'nulltok.arrow'), /nulltok\.arrow.*row 0 \(key 'a'\).*'tokens' is null/);
});

test('truncated and non-Arrow token files name the file in decode and inspect, not an arrow internal (issue 14.11)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const whole = foreignTable(new arrow.Int32(), Int32Array.from(TOKENS));
    const truncated = path.join(dir, 'cut.arrow');
    fs.writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const text = path.join(dir, 'notes.arrow');
    fs.writeFileSync(text, 'hello, this is not arrow\n');
    for (const file of [truncated, text]) {
      await assert.rejects(async () => {
        for await (const row of tokenRowSource([file], 'test').open(new AbortController().signal)) void row;
      }, (error: Error) => error.message.includes(file) && /not an Arrow IPC file|truncated/.test(error.message));
      const inspected = await runCli(['inspect', file]);
      assert.notEqual(inspected.code, 0);
      assert.ok(inspected.stderr.includes(file), inspected.stderr);
      assert.match(inspected.stderr, /not an Arrow IPC file|truncated/);
    }
    // inspect of a numpy-style Int64 file prints its rows (JSON has no BigInt).
    const int64 = path.join(dir, 'int64.arrow');
    fs.writeFileSync(int64, foreignTable(new arrow.Int64(), BigInt64Array.from(TOKENS, BigInt)));
    const shown = await runCli(['inspect', int64, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
  } finally {
    cleanup();
  }
});

test('a token manifest that is not JSON or lacks output files is refused naming it (issue 14.11, same class)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const broken = path.join(dir, 'manifest.json');
    fs.writeFileSync(broken, '{"outputs": [');
    await assert.rejects(tokenFiles(broken), (error: Error) => error.message.includes(broken) && /not valid JSON/.test(error.message));
    fs.writeFileSync(broken, '{"outputs": [{"rows": 3}]}');
    await assert.rejects(tokenFiles(broken), /outputs\[0\] has no 'file'/);
  } finally {
    cleanup();
  }
});
