import * as tf from '@tensorflow/tfjs-core';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FidInception } from '../../src/fid/fid-inception.js';
import { FID_INPUT_VARIANTS } from '../../src/fid/input-variants.js';
import { imageTensor, maxRelativeError, readParityFixture } from './fid-fixtures.js';

// Full-width FID-Inception parity (random weights, ~95 MB, generated on the fly, never committed). Also runs the
// converter on a torch .pth (with num_batches_tracked and fc, like the public file). Needs python3 with torch:
// VQRAE_PYTHON, else /usr/bin/python3.
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const python = process.env.VQRAE_PYTHON ?? '/usr/bin/python3';
const probe = spawnSync(python, ['-c', 'import torch, torchvision, PIL'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `needs ${python} with torch+torchvision+PIL (set VQRAE_PYTHON): ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`;

test('full-width FID-Inception: converted .pth → safetensors → tfjs features equal PyTorch (1e-4 relative)', { skip, timeout: 600_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fid-full-'));
  const env = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };
  try {
    const run = (args: string[]): void => {
      const r = spawnSync(python, args, { cwd: repo, env, encoding: 'utf8' });
      assert.equal(r.status, 0, `${args[0]} failed:\n${r.stdout}\n${r.stderr}`);
    };
    run(['tools/fixtures/eval/fid_inception_reference.py', '--width-divisor', '1', '--out-dir', dir, '--write-pth']);
    const converted = path.join(dir, 'converted.safetensors');
    run(['tools/convert/fid_inception_to_safetensors.py', path.join(dir, 'fid_inception_w1.pth'), converted, '--allow-hash-mismatch']);
    const fixture = await readParityFixture(path.join(dir, 'fid_inception_w1_io.safetensors'));
    const before = tf.memory().numTensors;
    const model = await FidInception.load(converted);
    assert.equal(model.featureDim, 2048);
    assert.equal(model.space.kind, 'fid-inception');
    const report: string[] = [];
    for (const variant of FID_INPUT_VARIANTS) {
      const expected = fixture.features[variant]!;
      for (const [i, image] of fixture.images.entries()) {
        const x = imageTensor(image);
        const started = performance.now();
        const features = await model.extractWith(x, 'uint8', variant);
        const ms = performance.now() - started;
        const rel = maxRelativeError(await features.data(), expected.data.subarray(i * 2048, (i + 1) * 2048));
        report.push(`${variant}/image${i}: ${rel.toExponential(2)} (${ms.toFixed(0)} ms)`);
        assert.ok(rel < 1e-4, `${variant} image ${i}: max relative error ${rel}`);
        tf.dispose([x, features]);
      }
    }
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
    console.log(`full-width parity: ${report.join(', ')}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
