import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeMegatron, encodeMegatron } from '../src/index.js';
import { MEGATRON_FIXTURE_SEQUENCES } from './megatron-fixture-data.js';

// Fixtures: .bin/.idx written by our writer and read by the numpy-memmap peer (tools/fixtures/tokens/megatron_peer.py,
// output *.peer.json), and a pair written by the peer from peer-written.spec.json. Python is never run here.
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/megatron');
const bytes = (name: string): Uint8Array => new Uint8Array(fs.readFileSync(path.join(dir, name)));
const json = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

test('megatron writer is byte-identical to the committed fixtures, and the numpy peer read them as the same ids and documents', () => {
  for (const [name, { vocabSize, sequences }] of Object.entries(MEGATRON_FIXTURE_SEQUENCES)) {
    const { bin, idx } = encodeMegatron(sequences, vocabSize);
    assert.deepEqual(bin, bytes(`${name}.bin`), `${name}.bin`);
    assert.deepEqual(idx, bytes(`${name}.idx`), `${name}.idx`);
    const peer = json(`${name}.peer.json`) as { dtype: string; sequences: number[][]; document_index: number[] };
    const ours = decodeMegatron(idx, bin, name);
    assert.equal(ours.dtype, peer.dtype);
    assert.deepEqual(ours.sequences.map((s) => Array.from(s)), peer.sequences);
    assert.deepEqual(ours.documentIndex, peer.document_index);
  }
});

test('megatron reader reads a pair written by the numpy peer', () => {
  const spec = json('peer-written.spec.json') as { dtype: string; documents: number[][][] };
  const read = decodeMegatron(bytes('peer-written.idx'), bytes('peer-written.bin'), 'peer-written');
  assert.equal(read.dtype, spec.dtype);
  assert.deepEqual(read.sequences.map((s) => Array.from(s)), spec.documents.flat());
  assert.deepEqual(read.documentIndex, [0, 1, 3, 4]);
});

test('megatron reader refuses a bad magic, a truncated index and a pointer beyond the .bin, naming the file', () => {
  const idx = bytes('images-u16.idx');
  const bin = bytes('images-u16.bin');
  assert.throws(() => decodeMegatron(Uint8Array.from([0, ...idx.subarray(1)]), bin, 'x'), /x\.idx: not a Megatron MMIDIDX index/);
  assert.throws(() => decodeMegatron(idx.subarray(0, 50), bin, 'x'), /x\.idx: truncated/);
  assert.throws(() => decodeMegatron(idx, bin.subarray(0, 10), 'x'), /x\.bin: sequence 1 .* outside the 10-byte file/);
});
