import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, SafetensorsFile, checkShapes, f32ToBf16, f32ToF16, loadSafetensorsInto, sha256File, writeSafetensors } from '../src/index.js';
import { assertClose, assertNoLeakAsync } from './helpers.js';

interface MixedFixture {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: (number | string)[] }>;
  encode: { inputs: (number | string)[]; f16Bits: number[]; bf16Bits: number[] };
}

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('mixed-dtypes.json', FIXTURES), 'utf8')) as MixedFixture;
const toNumber = (v: number | string): number => (typeof v === 'number' ? v : Number(v.replace('inf', 'Infinity')));
let dir = '';

before(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'nn-safetensors-'));
});
after(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('SafetensorsFile (reading a torch-written mixed-dtype fixture)', () => {
  it('reads F32/F16/BF16/I64/I32/U8 tensors, metadata and prefixes', async () => {
    const file = await SafetensorsFile.open(new URL('mixed-dtypes.safetensors', FIXTURES).pathname);
    try {
      assert.deepEqual(file.metadata, fixture.metadata);
      assert.deepEqual(JSON.parse(file.metadata.config), { width: 4, name: 'tiny' });
      assert.deepEqual(file.keys('vision_model.'), [
        'vision_model.embeddings.patch_embedding.weight',
        'vision_model.embeddings.patch_embedding.bias',
        'vision_model.post_layernorm.weight',
      ]);
      for (const [key, expected] of Object.entries(fixture.tensors)) {
        const info = file.info(key);
        assert.equal(info.dtype, expected.dtype, key);
        assert.deepEqual(info.shape, expected.shape, key);
        const decoded = await file.readValues(key);
        const values = decoded.kind === 'bigint64' ? Array.from(decoded.data, Number) : decoded.data;
        assertClose(values, expected.values.map(toNumber), { atol: 0 }, key); // widening is exact
      }
      await assertNoLeakAsync('readTensor', async () => {
        const ids = await file.readTensor('ids.i64');
        assert.equal(ids.dtype, 'int32');
        assert.deepEqual([...ids.dataSync()], [0, 1, -7, 2147483647]);
        ids.dispose();
      });
      const vision = await file.readAll('vision_model.', { stripPrefix: true });
      assert.deepEqual(Object.keys(vision).sort(), ['embeddings.patch_embedding.bias', 'embeddings.patch_embedding.weight', 'post_layernorm.weight']);
      assert.equal(vision['post_layernorm.weight'].dtype, 'float32');
      tf.dispose(Object.values(vision));
      assert.throws(() => file.info('vision_model.post_layernorm.wieght'), /no tensor 'vision_model.post_layernorm.wieght'.*nearest: vision_model.post_layernorm.weight/);
    } finally {
      await file.close();
    }
  });

  it('encodes float32 → f16 / bf16 bit-exactly like torch (ties to even, subnormals, overflow)', () => {
    const inputs = Float32Array.from(fixture.encode.inputs.map(toNumber));
    assert.deepEqual([...f32ToF16(inputs)], fixture.encode.f16Bits);
    assert.deepEqual([...f32ToBf16(inputs)], fixture.encode.bf16Bits);
  });
});

describe('writeSafetensors', () => {
  it('round-trips F32 / F16 / BF16 / int tensors and metadata, atomically', async () => {
    const file = path.join(dir, 'roundtrip.safetensors');
    const values = new Float32Array([0.1, -2.5, 3.14159, 1e-3, 65504, 7]);
    const weight = tf.tensor2d(values, [2, 3]);
    const ids = tf.tensor1d([1, -2, 3], 'int32');
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      await assertNoLeakAsync(`write ${dtype}`, () =>
        writeSafetensors(file, { 'decoder.w': weight, 'decoder.ids': ids, raw: { data: new Uint8Array([1, 2, 250]), shape: [3], dtype: 'U8' } }, {
          metadata: { config: JSON.stringify({ preset: 'tiny' }), dtype },
          dtype,
        }),
      );
      const reader = await SafetensorsFile.open(file);
      try {
        assert.deepEqual(reader.metadata, { config: '{"preset":"tiny"}', dtype });
        assert.equal(reader.info('decoder.w').dtype, dtype);
        assert.equal(reader.info('decoder.ids').dtype, 'I32');
        const back = await reader.readFloat32('decoder.w');
        const expected = dtype === 'F32' ? values : dtype === 'F16' ? decodeHalf(f32ToF16(values)) : decodeBf16(f32ToBf16(values));
        assertClose(back, expected, { atol: 0 }, `${dtype} round trip`);
        if (dtype !== 'F32') assertClose(back, values, { rtol: dtype === 'F16' ? 1e-3 : 8e-3 }, `${dtype} precision`);
        assert.deepEqual([...(await reader.readFloat32('decoder.ids'))], [1, -2, 3]);
        assert.deepEqual([...(await reader.readBytes('raw'))], [1, 2, 250]);
        const headerLength = Number((await fsp.readFile(file)).readBigUInt64LE(0));
        assert.equal(headerLength % 8, 0, 'header padded to 8 bytes');
      } finally {
        await reader.close();
      }
    }
    assert.deepEqual(await fsp.readdir(dir), ['roundtrip.safetensors'], 'no temp files left behind');
    await assert.rejects(writeSafetensors(file, { x: weight }, { metadata: { bad: 3 as unknown as string } }), /metadata 'bad' must be a string/);
    await assert.rejects(writeSafetensors(path.join(dir, 'missing-dir', 'x.safetensors'), { x: weight }), /writeSafetensors/);
    tf.dispose([weight, ids]);
  });

  it('reads one tensor with positioned reads that never touch the other tensor’s bytes', async () => {
    const file = path.join(dir, 'two.safetensors');
    const a = tf.fill([64, 64], 1.5);
    const b = tf.fill([128, 64], -2);
    await writeSafetensors(file, { a, b });
    tf.dispose([a, b]);
    const reader = await SafetensorsFile.open(file);
    const handleProto = Object.getPrototypeOf((reader as unknown as { handle: object }).handle) as {
      read: (...args: unknown[]) => Promise<{ bytesRead: number }>;
    };
    const original = handleProto.read;
    const reads: { position: number; length: number }[] = [];
    handleProto.read = function (this: unknown, ...args: unknown[]) {
      reads.push({ length: args[2] as number, position: args[3] as number });
      return original.apply(this, args);
    };
    try {
      const info = reader.info('b');
      const dataStart = (await fsp.stat(file)).size - 128 * 64 * 4 - 64 * 64 * 4;
      const values = await reader.readFloat32('b');
      assert.equal(values.length, 128 * 64);
      assert.ok(values.every((v) => v === -2));
      assert.equal(reads.length, 1);
      assert.deepEqual(reads[0], { position: dataStart + info.begin, length: 128 * 64 * 4 });
      assert.ok(reads.every((r) => r.position >= dataStart + info.begin), 'never reads tensor a');
    } finally {
      handleProto.read = original;
      await reader.close();
    }
  });

  it('rejects corrupt headers with the file name in the message', async () => {
    const file = path.join(dir, 'bad.safetensors');
    const header = Buffer.from(JSON.stringify({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }));
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(header.length));
    await fsp.writeFile(file, Buffer.concat([prefix, header, Buffer.alloc(8)]));
    await assert.rejects(SafetensorsFile.open(file), /bad.safetensors: 'x' spans 4 bytes, expected 8 for F32 \[2\]/);
    prefix.writeBigUInt64LE(10_000n);
    await fsp.writeFile(file, Buffer.concat([prefix, header]));
    await assert.rejects(SafetensorsFile.open(file), /header length 10000 is invalid/);
  });
});

describe('loadSafetensorsInto', () => {
  it('streams renamed keys into a store after a header-only check with one error listing every problem', async () => {
    const file = await SafetensorsFile.open(new URL('mixed-dtypes.safetensors', FIXTURES).pathname);
    const store = new ParamStore();
    store.add('encoder.embeddings.patch_embedding.weight', tf.zeros([4, 3, 2, 2]), { trainable: false });
    store.add('encoder.embeddings.patch_embedding.bias', tf.zeros([4]));
    store.add('encoder.post_layernorm.weight', tf.zeros([6]));
    store.add('decoder.other', tf.zeros([2]));
    const rename = (key: string) => (key.startsWith('vision_model.') ? `encoder.${key.slice('vision_model.'.length)}` : null);
    try {
      const before = tf.memory().numTensors;
      const report = await loadSafetensorsInto(store, file, { strict: true, prefix: 'encoder.', rename });
      assert.equal(tf.memory().numTensors, before);
      assert.equal(report.loaded.length, 3);
      assertClose(store.get('encoder.post_layernorm.weight').dataSync(), fixture.tensors['vision_model.post_layernorm.weight'].values.map(toNumber), { atol: 0 }, 'bf16 param');
      store.add('encoder.missing', tf.zeros([1]));
      await assert.rejects(
        loadSafetensorsInto(store, file, { strict: true, prefix: 'encoder.', rename: (k) => (k.startsWith('vision_model.') || k === 'special.f16' ? `encoder.${k.replace('vision_model.', '')}` : null) }),
        /\(prefix 'encoder.'\): 1 missing key\(s\): encoder.missing; 1 unexpected key\(s\): encoder.special.f16$/,
      );
      await assert.rejects(loadSafetensorsInto(store, file, { strict: false, rename: () => 'encoder.missing' }), /both map to 'encoder.missing'/);
    } finally {
      store.dispose();
      await file.close();
    }
  });
});

describe('checkShapes and sha256File', () => {
  it('lists missing, unexpected and mismatched keys in one error', () => {
    assert.throws(
      () => checkShapes({ a: [2, 3], b: [4], c: [1] }, { a: [3, 2], c: [1], d: [5] }, 'load tiny encoder'),
      /^Error: load tiny encoder: 1 missing key\(s\): b; 1 unexpected key\(s\): d; 1 shape mismatch\(es\): a expected \[2, 3\] got \[3, 2\]$/,
    );
    checkShapes({ a: [1] }, { a: [1] }, 'ok');
  });

  it('hashes a file in streamed chunks', async () => {
    const file = path.join(dir, 'hash.bin');
    const data = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
    await fsp.writeFile(file, data);
    assert.equal(await sha256File(file), createHash('sha256').update(data).digest('hex'));
  });
});

function decodeHalf(bits: Uint16Array): Float32Array {
  return Float32Array.from(bits, (h) => {
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    const s = h & 0x8000 ? -1 : 1;
    return e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  });
}

function decodeBf16(bits: Uint16Array): Float32Array {
  return new Float32Array(Uint32Array.from(bits, (b) => b << 16).buffer);
}
