import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { imageStats } from '../../src/demo/image-stages.js';
import { BUNDLED_IMAGES } from '../../src/demo/options.js';
import { readJson, runCli, tempDir } from '../cli/helpers.js';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/vqrae.mjs');

describe('vqrae demo (npm start)', () => {
  test('bundled images: ≥ 8 JPEGs, < 5 MB, licensed', () => {
    const files = fs.readdirSync(BUNDLED_IMAGES).filter((f) => f.endsWith('.jpg'));
    assert.ok(files.length >= 8);
    const bytes = files.reduce((sum, f) => sum + fs.statSync(path.join(BUNDLED_IMAGES, f)).size, 0);
    assert.ok(bytes < 5 * 1024 * 1024);
    assert.ok(fs.existsSync(path.join(BUNDLED_IMAGES, 'LICENSE.md')));
  });

  test('the images step writes the contact sheet, image stats, config, graph and summary', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'demo');
      // only this step: later steps (training, ...) have their own tests
      const run = await runCli(['demo', '--steps', 'images', '--out', out, '--size', '64', '--quiet']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^images: 10 images → 64×64 centre crops in [\d.]+ s .*most colourful: \w[\w-]* \([\d.]+\) → contact-sheet\.png, image-stats\.json$/m);
      assert.match(run.stdout, /^demo: ok \(1\/1 steps\)/m);
      assert.deepEqual(fs.readdirSync(out).sort(), ['config.json', 'contact-sheet.png', 'graph.txt', 'image-stats.json', 'summary.json']);
      const sheet = await sharp(path.join(out, 'contact-sheet.png')).metadata();
      assert.deepEqual([sheet.width, sheet.height], [5 * 128 + 6 * 4, 2 * 128 + 3 * 4]);
      const stats = JSON.parse(fs.readFileSync(path.join(out, 'image-stats.json'), 'utf8')) as Array<{ key: string; mean: number[] }>;
      assert.equal(stats.length, 10);
      assert.deepEqual(stats.map((s) => s.key), [...stats.map((s) => s.key)].sort(), 'stats keep the source order');
      assert.match(fs.readFileSync(path.join(out, 'graph.txt'), 'utf8'), /^images: images\(images\/\*: 10 files\) → decode\(sharp\) → centre-crop\(64\) → stats\(.*\) → \{ stats-json\(image-stats\.json\) \| contact-sheet\(128px, 5 columns\) \}\n$/);
      const summary = readJson(path.join(out, 'summary.json'));
      assert.equal(summary.status, 'ok');
      assert.equal((summary.steps as Record<string, { status: string }>).images.status, 'ok');
    } finally {
      cleanup();
    }
  });

  test('imageStats: known colours, and no tensor leaks', () => {
    const before = tf.memory().numTensors;
    const pixels = Buffer.alloc(4 * 4 * 3);
    for (let i = 0; i < 16; i++) pixels.set(i < 8 ? [255, 0, 0] : [0, 0, 255], i * 3); // top half red, bottom half blue
    const stats = imageStats({ meta: { key: 'rb', shard: 'mem', index: 0 }, width: 4, height: 4, pixels });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(stats.mean.map((m) => Number(m.toFixed(4))), [0.5, 0, 0.5]);
    assert.deepEqual(stats.std.map((s) => Number(s.toFixed(4))), [0.5, 0, 0.5]);
    // rg = r - g ∈ {1, 0}: mean 0.5, var 0.25; yb = (r+g)/2 - b ∈ {0.5, -1}: mean -0.25, var 0.5625
    assert.ok(Math.abs(stats.colourfulness - (Math.sqrt(0.25 + 0.5625) + 0.3 * Math.hypot(0.5, -0.25))) < 1e-5);
  });

  test('--steps rejects unknown step names', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const run = await runCli(['demo', '--steps', 'images,train-the-world', '--out', path.join(dir, 'x'), '--quiet']);
      assert.equal(run.code, 2);
      assert.match(run.stderr, /--steps: unknown step\(s\) train-the-world \(known: images/);
    } finally {
      cleanup();
    }
  });

  test('SIGINT (real signal, via the bin): stops, drains, writes a cancelled summary, exits 130', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = path.join(dir, 'interrupted');
      const args = [BIN, 'demo', '--steps', 'images', '--repeat', '400', '--size', '32', '--out', out];
      const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let signalled = false;
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        // the graph is running once its description is printed; give it a moment to pull items
        if (!signalled && stdout.includes('images: images(')) {
          signalled = true;
          setTimeout(() => child.kill('SIGINT'), 300);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      assert.equal(code, 130, `stdout:\n${stdout}\nstderr:\n${stderr}`);
      assert.match(stderr, /interrupted: stopping the source and draining items in flight/);
      const summary = readJson(path.join(out, 'summary.json'));
      assert.equal(summary.status, 'cancelled');
      const [graph] = summary.graphs as Array<{ status: string; sourceItems: number; sinks: Array<{ written: number }> }>;
      assert.equal(graph.status, 'cancelled');
      assert.ok(graph.sourceItems < 4000, 'the source stopped early');
      assert.equal(graph.sinks[0].written, graph.sourceItems, 'every item pulled before the interrupt drained to the sinks');
      assert.equal(fs.existsSync(path.join(out, 'contact-sheet.png')), false, 'aborted sinks write no final file');
    } finally {
      cleanup();
    }
  });
});
