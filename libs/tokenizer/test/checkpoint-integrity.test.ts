/** Corrupt checkpoints are refused at load, naming the tensor (issue 14.7). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { createVqrae, loadCheckpoint, presetConfig, saveCheckpoint } from '../src/index.js';

let dir: string;
let clean: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vqrae-ck-integrity-'));
  const model = await createVqrae(presetConfig('tiny'), { seed: 5 });
  clean = path.join(dir, 'clean.safetensors');
  try {
    await saveCheckpoint(model, clean);
  } finally {
    model.dispose();
  }
});
after(() => rm(dir, { recursive: true, force: true }));

/** The file's header JSON, its length and the data section's start. */
function layout(bytes: Buffer): { header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>; dataStart: number } {
  const n = Number(bytes.readBigUInt64LE(0));
  return { header: JSON.parse(bytes.subarray(8, 8 + n).toString('utf8')), dataStart: 8 + n };
}

/** A copy of the clean checkpoint with `edit` applied to its bytes. */
function corrupted(name: string, edit: (bytes: Buffer) => Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(Buffer.from(fs.readFileSync(clean))));
  return file;
}

function withHeader(bytes: Buffer, header: object): Buffer {
  const { dataStart } = layout(bytes);
  let json = JSON.stringify(header);
  const oldLength = dataStart - 8;
  if (json.length > oldLength) throw new Error('test header grew');
  json = json.padEnd(oldLength, ' ');
  const out = Buffer.from(bytes);
  out.write(json, 8, 'utf8');
  return out;
}

async function assertRefused(file: string, pattern: RegExp): Promise<void> {
  const baseline = tf.memory().numTensors;
  await assert.rejects(loadCheckpoint(file), (error: Error) => {
    assert.match(error.message, pattern);
    assert.ok(error.message.includes(file), 'names the file');
    return true;
  });
  assert.equal(tf.memory().numTensors, baseline, 'no tensor leaked by the refused load');
}

test('a NaN in decoder.decoder_pred.weight or an encoder weight is refused at load naming the tensor (issue 14.7)', async () => {
  for (const key of ['decoder.decoder_pred.weight', 'vision_model.encoder.layers.0.mlp.fc1.weight']) {
    const file = corrupted(`nan-${key}.safetensors`, (bytes) => {
      const { header, dataStart } = layout(bytes);
      const entry = header[key];
      assert.ok(entry, `${key} is in the tiny checkpoint`);
      bytes.writeFloatLE(NaN, dataStart + entry.data_offsets[0] + 4 * 3);
      return bytes;
    });
    await assertRefused(file, new RegExp(`'${key.replace(/\./g, '\\.')}'.*non-finite.*NaN.*index 3`));
  }
  const inf = corrupted('inf.safetensors', (bytes) => {
    const { header, dataStart } = layout(bytes);
    bytes.writeFloatLE(-Infinity, dataStart + header['decoder.decoder_pred.bias']!.data_offsets[0]);
    return bytes;
  });
  await assertRefused(inf, /'decoder\.decoder_pred\.bias'.*non-finite.*-Infinity/);
});

test('an F32 weight relabelled I32 and two tensors sharing bytes are refused (issue 14.7)', async () => {
  const relabelled = corrupted('relabelled.safetensors', (bytes) => {
    const { header } = layout(bytes);
    header['decoder.decoder_pred.weight']!.dtype = 'I32';
    return withHeader(bytes, header);
  });
  await assertRefused(relabelled, /'decoder\.decoder_pred\.weight' is stored as I32.*float/);
  const shared = corrupted('shared.safetensors', (bytes) => {
    const { header } = layout(bytes);
    // Two tensors of one shape and dtype (e.g. two layer-norm scales): point the second at the first's bytes.
    const entries = Object.entries(header).filter(([k]) => k !== '__metadata__');
    const pair = entries.flatMap(([, a], i) => entries.slice(i + 1).filter(([, b]) => JSON.stringify(b.shape) === JSON.stringify(a.shape) && b.dtype === a.dtype).map(([, b]) => [a, b] as const))[0];
    assert.ok(pair, 'two tensors of one shape');
    pair[1].data_offsets = [...pair[0].data_offsets];
    return withHeader(bytes, header);
  });
  await assertRefused(shared, /overlap/);
});

test('the clean checkpoint still loads (the checks accept valid weights)', async () => {
  const model = await loadCheckpoint(clean);
  model.dispose();
});
