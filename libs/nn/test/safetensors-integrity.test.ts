import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { loadSafetensorsInto, ParamStore, SafetensorsFile, writeSafetensors } from '../src/index.js';

/** A safetensors file from a header object and raw data bytes. */
function rawFile(dir: string, name: string, header: object, data: Uint8Array): string {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([length, json, data]));
  return file;
}

test('safetensors: tensors sharing bytes are refused at open; an integer-typed or non-finite weight is refused at load, named (issue 14.7)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-st-integrity-'));
  try {
    const data = new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer);
    const overlapping = rawFile(dir, 'overlap.safetensors', {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    }, data);
    await assert.rejects(SafetensorsFile.open(overlapping), /overlap\.safetensors: tensors 'a' \[0, 8\) and 'b' \[4, 12\) overlap/);
    const baseline = tf.memory().numTensors;
    const store = new ParamStore();
    store.add('w', tf.zeros([4]));
    const relabelled = await SafetensorsFile.open(rawFile(dir, 'i32.safetensors', { w: { dtype: 'I32', shape: [4], data_offsets: [0, 16] } }, data));
    await assert.rejects(loadSafetensorsInto(store, relabelled, { strict: true }), /'w' is stored as I32; parameter 'w' is float/);
    await assert.rejects(relabelled.readTensor('w', { requireFloat: true }), /i32\.safetensors: tensor 'w' is stored as I32; a float weight/);
    await relabelled.close();
    const nan = new Uint8Array(Float32Array.of(1, 2, Number.NaN, 4).buffer);
    const corrupt = await SafetensorsFile.open(rawFile(dir, 'nan.safetensors', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, nan));
    await assert.rejects(loadSafetensorsInto(store, corrupt, { strict: true }), /nan\.safetensors: tensor 'w' has a non-finite value \(NaN\) at index 2 of 4/);
    await corrupt.close();
    assert.deepEqual([...store.get('w').dataSync()], [0, 0, 0, 0], 'the store is untouched');
    store.dispose();
    assert.equal(tf.memory().numTensors, baseline);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeSafetensors removes checkpoint temporaries of killed runs and keeps those of live writers (issue 14.5)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-st-temps-'));
  try {
    const file = path.join(dir, 'ck.safetensors');
    const dead = 2 ** 22 + 99; // above Linux pid_max: never alive
    for (const name of [`ck.safetensors.tmp-${dead}-0`, `ck.safetensors.tmp-${process.ppid}-4`, `other.safetensors.tmp-${dead}-0`]) fs.writeFileSync(path.join(dir, name), 'half');
    await writeSafetensors(file, { w: { data: Float32Array.of(1, 2), shape: [2], dtype: 'F32' } });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['ck.safetensors', `ck.safetensors.tmp-${process.ppid}-4`, `other.safetensors.tmp-${dead}-0`]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
