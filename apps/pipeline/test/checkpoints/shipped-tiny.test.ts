import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '@vqrae/data';
import { f16ToF32, f32ToF16, SafetensorsFile, sha256File } from '@vqrae/nn';
import { createVqrae, decoderStemKeys, loadCheckpoint, presetConfig, saveCheckpoint, tfjsEngine, type VqraeModel } from '@vqrae/tokenizer';
import { readJson, runCli, tempDir } from '../cli/helpers.js';
import { writeSyntheticShards } from '../../../../tools/testing/synthetic-shards.js';
import { escapeRegExp, writeDemoImages } from './fixtures.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const SEED = 1;

let root: { dir: string; cleanup: () => void };
let f32File: string;
let registry: string;
let shipped: string;
let card: { sha256: string; dtype: string; preset: string; parameters: { stored: number }; source: { sha256: string } };
let data: string;
let savedEnv: string | undefined;

// A describe scopes the hooks: the project's test files share one process, and VQRAE_SHIPPED_CHECKPOINTS must not
// leak into other files' tests.
describe('shipped checkpoints from a tiny registry', () => {
before(async () => {
  root = tempDir('vqrae-ship-');
  f32File = path.join(root.dir, 'model-ema.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: SEED });
  await saveCheckpoint(model, f32File, { metadata: { 'vqrae.weights': 'ema' } });
  model.dispose();
  registry = path.join(root.dir, 'registry');
  // The real tool, as the maintainer runs it (no fixtures: they belong to the repository's own shipped set).
  const ship = spawnSync(process.execPath, ['--import', 'tsx', 'tools/checkpoints/ship-checkpoint.ts', '--in', f32File, '--name', 'tiny-test', '--dir', registry, '--step', '7'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(ship.status, 0, ship.stderr);
  shipped = path.join(registry, 'tiny-test.safetensors');
  card = JSON.parse(fs.readFileSync(path.join(registry, 'tiny-test.json'), 'utf8')) as typeof card;
  data = await writeSyntheticShards(path.join(root.dir, 'shards'), 'tr', 4, 4);
  savedEnv = process.env.VQRAE_SHIPPED_CHECKPOINTS;
  process.env.VQRAE_SHIPPED_CHECKPOINTS = registry;
});
after(() => {
  if (savedEnv === undefined) delete process.env.VQRAE_SHIPPED_CHECKPOINTS;
  else process.env.VQRAE_SHIPPED_CHECKPOINTS = savedEnv;
  root.cleanup();
});

/** Seeded pixel01 images `[B, S, S, 3]`. */
function randomPixels(batch: number, size: number): { data: Float32Array; batch: number; size: number } {
  const rng = createRng(11);
  const data = new Float32Array(batch * size * size * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  return { data, batch, size };
}

/** Every parameter of `model` rounded to F16 and widened back (the fixed position table stays exact, as on load). */
function roundParamsToF16(model: VqraeModel): void {
  const table = decoderStemKeys(model.decoder.paramPrefix).pos;
  for (const [name, tensor] of Object.entries(model.params.toNamedTensors())) {
    if (name === table) continue;
    const rounded = f16ToF32(f32ToF16(tensor.dataSync() as Float32Array));
    const value = tf.tensor(rounded, tensor.shape);
    model.params.assign(name, value);
    value.dispose();
  }
}

describe('ship-checkpoint: f32 EMA model → F16 file + card (issue 15.2)', () => {
  test('the card matches the file; every float stored as F16; metadata kept', async () => {
    assert.equal(card.sha256, await sha256File(shipped));
    assert.equal(card.source.sha256, await sha256File(f32File));
    assert.equal(card.dtype, 'F16');
    assert.equal(card.preset, 'tiny');
    assert.equal((card as unknown as { source: { step: number } }).source.step, 7);
    const [a, b] = [await SafetensorsFile.open(f32File), await SafetensorsFile.open(shipped)];
    try {
      assert.deepEqual(b.metadata, a.metadata);
      assert.deepEqual(b.keys(), a.keys());
      assert.ok(b.keys().every((k) => b.info(k).dtype === 'F16'));
      assert.equal(card.parameters.stored, a.keys().reduce((n, k) => n + a.info(k).shape.reduce((x, y) => x * y, 1), 0));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('F16 load gives exactly the tokens and pixels of the f32 weights rounded to F16; no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const fromF16 = tfjsEngine(await loadCheckpoint(shipped));
    const roundedModel = await loadCheckpoint(f32File);
    roundParamsToF16(roundedModel);
    const fromF32 = tfjsEngine(roundedModel);
    try {
      const pixels = randomPixels(4, fromF16.inputSize);
      const [a, b] = [await fromF16.reconstruct(pixels), await fromF32.reconstruct(pixels)];
      assert.deepEqual(a.indices, b.indices);
      assert.deepEqual(a.pixels, b.pixels);
    } finally {
      await fromF16.dispose();
      await fromF32.dispose();
    }
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('train --init <shipped name>: stage-1 fine-tuning from a checkpoint (issue 15.3)', () => {
  test('starts from the checkpoint’s weights (lr 0 → the exported model is the shipped one), recorded in config and metadata', async () => {
    const out = path.join(root.dir, 'finetune');
    const run = await runCli(['train', '--init', 'tiny-test', '--data', data, '--steps', '1', '--batch', '2', '--lr', '0', '--final-lr', '0', '--seed', String(SEED), '--checkpoint-every', '0', '--out', out, '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    const config = readJson(path.join(out, 'train-config.json')) as { init?: string; preset?: string };
    assert.equal(config.init, shipped);
    assert.equal(config.preset, 'tiny', 'preset taken from the --init checkpoint');
    const [exported, source] = [await SafetensorsFile.open(path.join(out, 'model-ema.safetensors')), await SafetensorsFile.open(shipped)];
    try {
      assert.equal(exported.metadata['vqrae.init_sha256'], card.sha256);
      for (const key of source.keys()) {
        if (key === decoderStemKeys().pos) continue; // exact table in both runs, rounded copy in the F16 file
        // lr 0 leaves the weights; the EMA of a constant only adds float rounding (d·w + (1−d)·w).
        const [a, b] = [await exported.readFloat32(key), await source.readFloat32(key)];
        assert.equal(a.length, b.length, key);
        assert.ok(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-6 * Math.max(1, Math.abs(b[i]!))), key);
      }
    } finally {
      await exported.close();
      await source.close();
    }
  });

  test('refused: another codebook (seed), another preset, with --resume or --from', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--init', 'tiny-test', '--seed', String(SEED + 1)], /train --init .*tiny-test\.safetensors: its codebook C differs from this run's \(seed 2; first difference/],
      [['--init', 'tiny-test', '--preset', 'small-cpu'], /a 'tiny' checkpoint cannot start a 'small-cpu' run/],
      [['--init', 'tiny-test', '--resume'], /--init .* cannot be combined with --resume or --from/],
      [['--init', 'tiny-test', '--stage', '2', '--from', shipped], /--init .* cannot be combined with --resume or --from/],
    ];
    for (const [i, [args, message]] of cases.entries()) {
      const out = path.join(root.dir, `refused-${i}`);
      const run = await runCli(['train', ...args, '--data', data, '--steps', '1', '--batch', '2', '--out', out, '--quiet']);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });
});

describe('demo on a checkpoint (issue 15.3: npm start runs on the shipped one)', () => {
  test('--steps tokens: dumps and decodes with the named checkpoint and says which one (eval + train: shipped-demo.long.test.ts)', async () => {
    const images = await writeDemoImages(path.join(root.dir, 'images'));
    const out = path.join(root.dir, 'demo');
    const run = await runCli(['demo', '--steps', 'tokens', '--images', images, '--checkpoint', 'tiny-test', '--out', out, '--quiet']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^tokens: ${escapeRegExp(`tiny-test (shipped, sha256 ${card.sha256.slice(0, 12)}…)`)}: 4 images → 4 × 64 tokens .* decoded back to 4 PNGs`, 'm'));
    assert.equal((readJson(path.join(out, 'config.json')) as { options: { checkpoint: string } }).options.checkpoint, shipped);
    assert.deepEqual(fs.readdirSync(path.join(out, 'shards')).sort(), ['heldout-000.tar', 'train-000.tar']);
    assert.equal(fs.readdirSync(path.join(out, 'decoded/images')).length, 4);
  });
});
});
