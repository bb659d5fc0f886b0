/**
 * Long (VQRAE_LONG_TESTS=1): the full-width ONNX FID-Inception (2048-d, seeded synthetic weights with the real key
 * names) against the tfjs network on the same file, every input variant, one downscaled and one upscaled image.
 */
import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { FID_INPUT_VARIANTS, FidInception } from '@vqrae/eval';
import { inceptionFeatureSession } from '../src/inception/inception-session.js';
import { writeSyntheticInceptionWeights } from './inception-synthetic-weights.js';
import { relativeError } from './helpers.js';

function seededImage(height: number, width: number, seed: number): Uint8Array {
  const out = new Uint8Array(height * width * 3);
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const y = Math.floor(i / (width * 3));
    out[i] = (((s >>> 24) & 63) + ((y * 255) / height) * 0.75) | 0; // a gradient plus noise
  }
  return out;
}

test('full-width ONNX FID-Inception equals the tfjs network for every input variant (1e-4 relative)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-fid-full-'));
  const weights = path.join(dir, 'fid_inception_synthetic.safetensors');
  await writeSyntheticInceptionWeights(weights, 1, 2024);
  const before = tf.memory().numTensors;
  const tfjsModel = await FidInception.load(weights);
  const report: string[] = [];
  try {
    for (const variant of FID_INPUT_VARIANTS) {
      const session = await inceptionFeatureSession(weights, variant, { threads: 2 });
      try {
        assert.equal(session.space.kind, 'fid-inception');
        for (const [height, width] of [[360, 480], [200, 150]] as const) {
          const image = seededImage(height, width, height + width);
          const onnx = await session({ data: image, batch: 1, height, width, range: 'uint8' });
          const x = tf.tensor4d(Int32Array.from(image), [1, height, width, 3], 'int32');
          const features = await tfjsModel.extractWith(x, 'uint8', variant);
          const rel = relativeError(onnx, await features.data());
          tf.dispose([x, features]);
          report.push(`${variant}/${height}x${width}: ${rel.toExponential(1)}`);
          assert.equal(onnx.length, 2048);
          assert.ok(rel < 1e-4, `${variant} ${height}x${width}: ${rel}`);
        }
      } finally {
        await session.dispose();
      }
    }
  } finally {
    tfjsModel.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(tf.memory().numTensors, before);
  console.log(`full-width ONNX vs tfjs FID-Inception (max |a-b| / max |b|): ${report.join('; ')}`);
});
