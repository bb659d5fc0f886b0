import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { tokensAndPsnr } from '../tokens-and-psnr.js';
import { makeTinyData, type TinyData } from './tiny-data.js';

// ~10 s on 2 busy cores (the small-cpu encoder + decoder on 10 images at 224²): a long test.
let data: TinyData;
before(async () => {
  data = await makeTinyData();
});
after(async () => {
  await fs.rm(data.dir, { recursive: true, force: true });
});

test('examples: tokens-and-psnr runs the shipped small-cpu by name on the bundled images', async () => {
  const baseline = tf.memory().numTensors;
  const out = path.join(data.dir, 'tokens-small-cpu');
  const psnr = await tokensAndPsnr(data.shards, 'small-cpu', out);
  assert.equal(psnr.count, data.images);
  // assets/images are mostly procedural scenes, unlike its training photos: 13.25 dB measured (a mean-colour field: ~9 dB).
  assert.ok(psnr.mean > 12, `small-cpu mean PSNR ${psnr.mean} dB on the bundled images`);
  assert.equal((await fs.readdir(out)).filter((f) => f.endsWith('.arrow')).length, 3, 'one token file per input shard');
  assert.equal(tf.memory().numTensors, baseline);
});
