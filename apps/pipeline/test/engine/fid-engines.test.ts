import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { createRng } from '@vqrae/data';
import { frechetDistance, readStatsNpz, type StatsFile } from '@vqrae/eval';
import { createRunFolder } from '@vqrae/graph';
import { loadOnnxRuntime } from '@vqrae/onnx';
import { UsageError } from '../../src/cli/errors.js';
import { openFidInception } from '../../src/engine/fid-inception-engine.js';
import { openEvalFeatureNetwork } from '../../src/engine/feature-network-engine.js';
import { readJson, runCli, tempDir } from '../cli/helpers.js';
import { evalFixture, FID_W16_WEIGHTS } from '../eval/fixtures.js';

const options = (engine: string, ep = 'cpu', threads?: number) => ({ engine, ep, threads });
const failing = async (): Promise<never> => {
  throw new Error('boom: no native binary');
};

/** max |a − b| / max |b|. */
function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

let work: { dir: string; cleanup: () => void };
let images: string;

before(async () => {
  work = tempDir('vqrae-fid-engines-');
  // Six seeded noise-and-gradient PNGs in two sizes (two batches of different shapes through the network).
  images = path.join(work.dir, 'images');
  fs.mkdirSync(images);
  const rng = createRng(11);
  for (let i = 0; i < 6; i++) {
    const [w, h] = i < 3 ? [40, 40] : [56, 48];
    const data = Uint8Array.from({ length: w * h * 3 }, (_, j) => Math.min(255, ((j % (w * 3)) * 2 + i * 30 + rng.int(64)) % 256));
    await sharp(data, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path.join(images, `img-${i}.png`));
  }
});

after(() => work.cleanup());

/** Runs `vqrae fid-stats` and returns the lines it logged (it prints with console.log). */
async function fidStats(args: readonly string[]): Promise<{ code: number; lines: string[]; stderr: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => void lines.push(parts.join(' '));
  try {
    const r = await runCli(['fid-stats', ...args]);
    return { code: r.code, lines, stderr: r.stderr };
  } finally {
    console.log = log;
  }
}

test('openFidInception: auto falls back to tfjs with the reason; forced engines and providers never fall back silently', async () => {
  const baseline = tf.memory().numTensors;
  const fallback = await openFidInception(FID_W16_WEIGHTS, 'clean', options('auto'), { backend: 'wasm', loadOnnx: failing });
  assert.equal(fallback.record.engine, 'tfjs');
  assert.equal(fallback.message, 'engine (FID-Inception): tfjs (wasm; auto: onnxruntime-node could not be loaded (boom: no native binary))');
  assert.equal(fallback.value.featureDim, 128);
  fallback.value.dispose();
  const forcedTfjs = await openFidInception(FID_W16_WEIGHTS, 'clean', options('tfjs'), { backend: 'wasm' });
  assert.equal(forcedTfjs.message, 'engine (FID-Inception): tfjs (wasm; forced by --engine)');
  forcedTfjs.value.dispose();
  for (const [o, pattern] of [
    [options('onnx'), /--engine onnx: onnxruntime-node could not be loaded \(boom/],
    [options('tfjs', 'webgpu'), /--ep webgpu needs --engine onnx/],
    [options('auto', 'cuda'), /--ep cuda needs the onnx engine, but onnxruntime-node could not be loaded/],
  ] as const) {
    await assert.rejects(openFidInception(FID_W16_WEIGHTS, 'clean', o, { backend: 'wasm', loadOnnx: failing }), (e: unknown) => e instanceof UsageError && pattern.test(e.message));
  }
  assert.equal(tf.memory().numTensors, baseline);
});

test('eval feature networks: FID-Inception follows --engine (auto falls back with the reason), the fallback FD networks run on tfjs; each recorded as featureEngine', async () => {
  const baseline = tf.memory().numTensors;
  const lines: string[] = [];
  const host = (engine: string, dryRun = false) => ({
    options: { engine, ep: 'cpu', threads: 1, dryRun },
    backend: { name: 'wasm' },
    log: { info: (m: string) => void lines.push(m), warn: () => undefined, error: () => undefined },
    runFolder: createRunFolder({ command: 'eval', out: path.join(work.dir, `features-${engine}-${dryRun}`) }),
  });
  const configOf = (h: ReturnType<typeof host>) => readJson(h.runFolder.path('config.json')) as { featureEngine?: { engine: string; reason: string } };

  const fid = host('auto');
  const fallback = await openEvalFeatureNetwork(fid, { kind: 'fid-inception', weights: FID_W16_WEIGHTS, variant: 'clean' }, { loadOnnx: failing });
  assert.equal(fallback.record?.engine, 'tfjs');
  assert.equal(lines.at(-1), 'engine (FID-Inception): tfjs (wasm; auto: onnxruntime-node could not be loaded (boom: no native binary))');
  assert.deepEqual(configOf(fid).featureEngine, fallback.record);
  fallback.extractor?.dispose();

  const mobile = host('onnx');
  const tfjsOnly = await openEvalFeatureNetwork(mobile, { kind: 'mobilenetv2' }, { loadOnnx: failing });
  assert.equal(lines.at(-1), 'engine (FD network mobilenetv2): tfjs (wasm; mobilenetv2 has no ONNX graph)');
  assert.equal(configOf(mobile).featureEngine?.reason, 'mobilenetv2 has no ONNX graph');
  tfjsOnly.extractor?.dispose();

  const dry = host('onnx', true);
  const stand = await openEvalFeatureNetwork(dry, { kind: 'fid-inception', weights: FID_W16_WEIGHTS, variant: 'clean' }, { loadOnnx: failing });
  assert.match(lines.at(-1)!, /^engine \(FID-Inception\): tfjs \(wasm; dry run/);
  assert.ok(!fs.existsSync(dry.runFolder.path('config.json')), '--dry-run records nothing');
  stand.extractor?.dispose();
  assert.deepEqual(await openEvalFeatureNetwork(host('auto'), null), { extractor: null, record: null });
  assert.equal(tf.memory().numTensors, baseline);
});

test('fid-stats --engine onnx and --engine tfjs: equal statistics (mu, sigma 1e-4 relative) and a Fréchet distance between the files below 1e-6·tr Σ', async (t) => {
  if (!(await loadOnnxRuntime()).ok) return t.skip('onnxruntime-node does not load here');
  const files: Record<string, StatsFile> = {};
  for (const engine of ['onnx', 'tfjs']) {
    const out = path.join(work.dir, `stats-${engine}.npz`);
    const r = await fidStats([images, '--weights', FID_W16_WEIGHTS, '--variant', 'clean', '--batch', '4', '--engine', engine, '--threads', '1', '--backend', 'wasm', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const expected = engine === 'onnx' ? 'engine (FID-Inception): onnx (cpu, 1 thread; forced by --engine)' : 'engine (FID-Inception): tfjs (wasm; forced by --engine)';
    assert.ok(r.lines.includes(expected), r.lines.join('\n'));
    files[engine] = await readStatsNpz(out);
  }
  const [onnx, tfjs] = [files.onnx!, files.tfjs!];
  assert.equal(onnx.count, 6);
  assert.deepEqual(onnx.featureSpace, tfjs.featureSpace);
  const muError = maxRelativeError(onnx.mean, tfjs.mean);
  const sigmaError = maxRelativeError(onnx.covariance, tfjs.covariance);
  const between = frechetDistance(onnx, tfjs).distance;
  const self = frechetDistance(tfjs, tfjs).distance; // the numerical floor of the distance on these (rank-5) statistics
  const scale = tfjs.covariance.reduce((sum, _, i) => (i % (tfjs.dim + 1) === 0 ? sum + tfjs.covariance[i]! : sum), 0); // tr Σ
  console.log(`fid-stats onnx vs tfjs: mu ${muError.toExponential(1)}, sigma ${sigmaError.toExponential(1)} relative; FD(onnx, tfjs) ${between.toExponential(2)}, FD(tfjs, tfjs) ${self.toExponential(2)}, tr Σ ${scale.toFixed(3)}`);
  assert.ok(muError < 1e-4, `mu: ${muError}`);
  assert.ok(sigmaError < 1e-4, `sigma: ${sigmaError}`);
  assert.ok(Math.abs(between) < 1e-6 * scale, `FD between the engines' files: ${between} (tr Σ ${scale})`);
});

test('eval --fid-weights on --engine onnx and --engine tfjs: the same FD (1e-5 relative), featureEngine recorded per run', async (t) => {
  if (!(await loadOnnxRuntime()).ok) return t.skip('onnxruntime-node does not load here');
  const fx = await evalFixture('fid-engines');
  try {
    const results: Record<string, { distance: number; label: string }> = {};
    for (const engine of ['onnx', 'tfjs']) {
      const out = path.join(fx.dir, `eval-${engine}`);
      const r = await runCli(['eval', '--checkpoint', fx.checkpoint, '--data', fx.shards[0]!, '--fid-weights', FID_W16_WEIGHTS, '--previews', '0', '--ssim-extra', 'none', '--engine', engine, '--threads', '1', '--backend', 'wasm', '--out', out]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const config = readJson(path.join(out, 'config.json')) as { engine: { engine: string }; featureEngine: { engine: string; threads: number | null } };
      assert.equal(config.engine.engine, engine);
      assert.equal(config.featureEngine.engine, engine);
      assert.equal(config.featureEngine.threads, engine === 'onnx' ? 1 : null);
      const summary = readJson(path.join(out, 'summary.json')) as { eval: { frechet: { label: string; distance: number } } };
      results[engine] = summary.eval.frechet;
    }
    const [onnx, tfjs] = [results.onnx!, results.tfjs!];
    assert.equal(onnx.label, 'FD[fid-inception-width-1of16]');
    assert.equal(onnx.label, tfjs.label);
    const relative = Math.abs(onnx.distance - tfjs.distance) / tfjs.distance;
    console.log(`eval FD onnx ${onnx.distance} vs tfjs ${tfjs.distance}: ${relative.toExponential(1)} relative`);
    assert.ok(relative < 1e-5, `FD onnx ${onnx.distance} vs tfjs ${tfjs.distance}`);
  } finally {
    await fx.cleanup();
  }
});
