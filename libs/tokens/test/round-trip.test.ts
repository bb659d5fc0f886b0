import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pl from 'nodejs-polars';
import { createTokenWriter, fanOutTokenWriter, readTokenFile, TOKEN_FORMATS, tokenFormatExtensions, type TokenSequence, type TokenWriterConfig } from '../src/index.js';

/** Deterministic LCG so the ids are seeded, not random per run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function bareSequences(n: number, codebook: number, grid: [number, number], seed: number): TokenSequence[] {
  const rand = lcg(seed);
  return Array.from({ length: n }, (_, i) => ({
    key: `sample-${String(i).padStart(4, '0')}`,
    shard: 'data/shard-000000.tar',
    aug: 'none',
    ids: Int32Array.from({ length: grid[0] * grid[1] }, () => Math.floor(rand() * codebook)),
    grid,
    side: { cls: i % 3, txt: `caption ${i} ✓`, json: JSON.stringify({ i }) },
  }));
}

function config(overrides: Partial<TokenWriterConfig>): TokenWriterConfig {
  return {
    baseName: 'unit-0000',
    vocabSize: 1024,
    codebookSize: 1024,
    grid: [2, 3],
    side: { cls: true, txt: true, json: true },
    withAug: false,
    withCodes: false,
    metadata: new Map([['vqrae.provenance', JSON.stringify({ checkpoint: 'tiny', seed: 7 })]]),
    ...overrides,
  };
}

async function writeAll(dir: string, cfg: TokenWriterConfig, sequences: readonly TokenSequence[]): Promise<string[]> {
  const writer = fanOutTokenWriter(TOKEN_FORMATS, cfg);
  for (const s of sequences) writer.add(s);
  const files = await writer.finish();
  for (const f of files) await fs.writeFile(path.join(dir, f.name), f.bytes);
  return files.map((f) => f.name);
}

function sameSequences(actual: readonly TokenSequence[], expected: readonly TokenSequence[], format: string): void {
  assert.equal(actual.length, expected.length, `${format}: row count`);
  expected.forEach((e, i) => {
    const a = actual[i]!;
    assert.equal(a.key, e.key, `${format}: key of row ${i}`);
    assert.equal(a.shard, e.shard, `${format}: shard of row ${i}`);
    assert.equal(a.aug, e.aug, `${format}: aug of row ${i}`);
    assert.deepEqual(Array.from(a.ids), Array.from(e.ids), `${format}: ids of row ${i}`);
    assert.deepEqual(a.codes && Array.from(a.codes), e.codes && Array.from(e.codes), `${format}: codes of row ${i}`);
    assert.deepEqual(a.docStarts && Array.from(a.docStarts), e.docStarts && Array.from(e.docStarts), `${format}: doc starts of row ${i}`);
    assert.deepEqual([...a.grid], [...e.grid], `${format}: grid of row ${i}`);
    assert.deepEqual(a.side, e.side, `${format}: side members of row ${i}`);
  });
}

const FILE_OF = { arrow: '.arrow', parquet: '.parquet', megatron: '.idx', wds: '.tar', jsonl: '.jsonl' } as const;

test('every format round-trips bare codes (uint16), side members and provenance', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokens-rt-'));
  try {
    const sequences = bareSequences(5, 1024, [2, 3], 1);
    const cfg = config({});
    const names = await writeAll(dir, cfg, sequences);
    assert.deepEqual(names.sort(), ['unit-0000.arrow', 'unit-0000.bin', 'unit-0000.idx', 'unit-0000.jsonl', 'unit-0000.jsonl.meta.json', 'unit-0000.megatron.meta.json', 'unit-0000.parquet', 'unit-0000.tar', 'unit-0000.wds.meta.json']);
    for (const format of TOKEN_FORMATS) {
      const read = await readTokenFile(path.join(dir, `unit-0000${FILE_OF[format]}`));
      assert.equal(read.format, format);
      sameSequences(read.sequences, sequences, format);
      assert.equal(read.metadata.get('vqrae.provenance'), cfg.metadata.get('vqrae.provenance'), `${format}: provenance`);
    }
    const prefix = await readTokenFile(path.join(dir, 'unit-0000'));
    assert.equal(prefix.format, 'megatron', 'a bare prefix (Megatron --data-path form) is read as megatron');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('every format round-trips offset ids with specials, codes, augmentation, packed rows and int32 ids', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tokens-rt-'));
  try {
    const offset = 100_000; // ids beyond uint16 → int32 on disk
    const images = bareSequences(4, 512, [2, 2], 2);
    const sequences: TokenSequence[] = images.map((s, i) => {
      const ids = Int32Array.from([offset + 512, ...Array.from(s.ids, (c) => offset + c), offset + 513, 7, 8 + i]);
      return { ...s, aug: i % 2 === 0 ? 'none' : 'flip', ids, codes: s.ids, side: i === 0 ? {} : { txt: `only txt ${i}` } };
    });
    const packed: TokenSequence = { key: 'packed-0', shard: images[0]!.shard, aug: 'none', ids: Int32Array.from([1, 2, 3, 4, 5, 6, 7]), docStarts: Int32Array.from([0, 3, 5]), grid: [2, 2], side: {} };
    const all = [...sequences, packed];
    await writeAll(dir, config({ vocabSize: offset + 514, codebookSize: 512, grid: [2, 2], side: { cls: false, txt: true, json: false }, withAug: true, withCodes: true }), all);
    for (const format of TOKEN_FORMATS) {
      const read = await readTokenFile(path.join(dir, `unit-0000${FILE_OF[format]}`));
      // Megatron keeps ids and document boundaries only: codes are not stored there.
      const expected = format === 'megatron' ? all.map(({ codes: _codes, ...rest }) => rest) : all;
      sameSequences(read.sequences, expected, format);
    }
    const idx = await fs.readFile(path.join(dir, 'unit-0000.idx'));
    assert.equal(idx[17], 4, 'megatron dtype code 4 (int32) for a vocabulary beyond 65536');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('parquet is readable by polars with the ids, key and zstd-compressed columns intact', async () => {
  const sequences = bareSequences(3, 1024, [2, 3], 3);
  const writer = fanOutTokenWriter(['parquet'], config({}));
  sequences.forEach((s) => writer.add(s));
  const [file] = await writer.finish();
  const frame = pl.readParquet(Buffer.from(file!.bytes));
  assert.deepEqual(frame.getColumn('key').toArray(), sequences.map((s) => s.key));
  assert.deepEqual(frame.getColumn('tokens').toArray(), sequences.map((s) => Array.from(s.ids)));
  assert.deepEqual(frame.getColumn('caption').toArray(), sequences.map((s) => s.side.txt));
});

test('ids outside the vocabulary are refused naming the row', async () => {
  const bad = bareSequences(1, 1024, [2, 3], 4).map((s) => ({ ...s, ids: Int32Array.from([1, 2, 3, 4, 5, 1024]) }));
  for (const format of TOKEN_FORMATS) {
    const writer = fanOutTokenWriter([format], config({}));
    await assert.rejects(async () => {
      bad.forEach((s) => writer.add(s));
      await writer.finish();
    }, /sample-0000.*1024/, format);
  }
});

test('wds refuses a key whose last path part has a dot (WebDataset splits member names there), naming key and shard', async () => {
  const writer = fanOutTokenWriter(['wds'], config({}));
  const [s] = bareSequences(1, 1024, [2, 3], 5);
  assert.throws(() => writer.add({ ...s!, key: 'dir/photo.v2' }), /sample key 'dir\/photo\.v2' \(shard data\/shard-000000\.tar\) cannot be a WebDataset key/);
});

test('tokenFormatExtensions lists exactly the files each writer produces', () => {
  for (const format of TOKEN_FORMATS) assert.deepEqual(tokenFormatExtensions(format), createTokenWriter(format, config({})).extensions, format);
});
