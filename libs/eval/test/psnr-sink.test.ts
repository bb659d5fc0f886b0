import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fromIterable, Graph } from '@vqrae/graph';
import { psnrSink, type ReconstructedBatch } from '../src/index.js';

const side = 2;
const image = (values: number[]) => ({ data: Uint8Array.from(values), width: side, height: side, channels: 3 as const });
const meta = (key: string) => ({ key, shard: 's.tar', index: 0 });

test('psnrSink: the mean of per-image PSNR over batches, written as JSON; a reference of the wrong size names the sample', async () => {
  const reference = new Array(12).fill(100);
  const off1 = reference.map((v) => v + 1); // MSE = (1/255)² → 20·log10(255) = 48.1308… dB
  const same = [...reference]; // identical → 100 dB (MSE floor)
  const batches: ReconstructedBatch[] = [
    { metas: [meta('a')], images: [image(reference)], decoded: [Uint8Array.from(off1)], outputSize: side },
    { metas: [meta('b')], images: [image(reference)], decoded: [Uint8Array.from(same)], outputSize: side },
  ];
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-psnr-sink-'));
  try {
    const file = path.join(dir, 'psnr.json');
    const run = await Graph.from(fromIterable('batches', batches)).to(psnrSink({ path: file })).run();
    const expected = (20 * Math.log10(255) + 100) / 2;
    const result = run.sinks[0]!.result as { count: number; mean: number };
    assert.equal(result.count, 2);
    assert.ok(Math.abs(result.mean - expected) < 1e-9, `${result.mean} vs ${expected}`);
    assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), result);
    const wrong: ReconstructedBatch = { metas: [meta('c')], images: [image(reference)], decoded: [new Uint8Array(27)], outputSize: 3 };
    await assert.rejects(Graph.from(fromIterable('batches', [wrong])).to(psnrSink()).run(), /sample 'c' \(shard s\.tar\): input is 2×2 but the reconstruction is 3×3 and the record has no reference crop/);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
