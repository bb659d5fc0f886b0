/**
 * `npm run bench:train`: steps/s of a VQRAE stage-1 training step as `vqrae train` runs it (graph: shards → decode →
 * random-resized crop → batch → train-step; frozen encoder forward outside the tape → quant_in → SimVQ → ViT
 * decoder → L2 + VQ loss → gradients → AdamW → EMA; wasm backend), against the same step in PyTorch on the CPU
 * (tools/bench/torch_train_step.py, Debian python3-torch, 2 threads, OMP_WAIT_POLICY=PASSIVE), in one run, for the
 * `small-cpu` and `tiny` presets.
 *
 * The TypeScript side runs the real CLI in a child process (tools may not import the app) on 64 synthetic 256×256
 * JPEGs (cached under tmp/bench/train-v1) and reads the step times from its per-step Arrow log (wall-clock deltas
 * after `--warmup` steps, so start-up, model build and the final checkpoint are excluded; data loading overlaps the
 * step as in real training). The frozen encoder's forward alone is timed in-process for the breakdown. The PyTorch
 * peer uses random weights and a fixed random batch (speed only).
 * Options: --presets small-cpu,tiny  --steps 6  --warmup 2
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { tableFromIPC } from 'apache-arrow';
import sharp from 'sharp';
import { createRng, ShardWriter } from '@vqrae/data';
import { createVqrae, presetConfig, type VqraeConfig } from '@vqrae/tokenizer';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/torch_train_step.py');
const CLI = path.join(WORKSPACE_ROOT, 'apps/pipeline/bin/vqrae.mjs');
const CACHE = path.join(WORKSPACE_ROOT, 'tmp/bench/train-v1');
const BATCH: Record<string, number> = { 'small-cpu': 8, tiny: 16 };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Row {
  preset: string;
  runtime: string;
  batch: number;
  msPerStep: number;
  stepsPerS: number;
  imagesPerS: number;
  note: string;
}

/** 64 smooth-gradient JPEGs with a seeded disc, in one shard (built once). */
async function shards(): Promise<string> {
  const file = path.join(CACHE, 'train-000.tar');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(CACHE, { recursive: true });
  const writer = new ShardWriter({ pattern: path.join(CACHE, 'train-%03d.tar') });
  for (let i = 0; i < 64; i++) {
    const rng = createRng(7, 'bench-train', i);
    const side = 256;
    const data = Buffer.alloc(side * side * 3);
    const colours = [0, 1, 2].map(() => [rng.uniform(0, 255), rng.uniform(0, 255)]);
    const cx = rng.uniform(40, 216);
    const cy = rng.uniform(40, 216);
    const r = rng.uniform(20, 60);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r * r;
        for (let c = 0; c < 3; c++) {
          const [a, b] = colours[c]!;
          data[(y * side + x) * 3 + c] = inDisc ? 255 - a! : a! + ((b! - a!) * x) / side;
        }
      }
    }
    const jpg = await sharp(data, { raw: { width: side, height: side, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    await writer.write({ key: `bench${String(i).padStart(3, '0')}`, files: { jpg: new Uint8Array(jpg) } });
  }
  await writer.close();
  return file;
}

function benchCli(preset: string, data: string, steps: number, warmup: number): Row {
  const out = path.join(WORKSPACE_ROOT, 'tmp/bench', `train-run-${preset}`);
  fs.rmSync(out, { recursive: true, force: true });
  const batch = BATCH[preset] ?? 8;
  const args = [CLI, 'train', '--preset', preset, '--data', data, '--steps', String(steps + warmup), '--batch', String(batch),
    '--checkpoint-every', '0', '--backend', 'wasm', '--out', out, '--quiet'];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: WORKSPACE_ROOT });
  if (run.status !== 0) throw new Error(`bench-train: vqrae train failed (${run.status}): ${run.stderr}`);
  const logDir = path.join(out, 'log');
  const file = fs.readdirSync(logDir).find((f) => f.endsWith('.arrows'));
  if (!file) throw new Error(`bench-train: no step log in ${logDir}`);
  const table = tableFromIPC(fs.readFileSync(path.join(logDir, file)));
  const wall = table.getChild('wall_s')!.toArray() as Float64Array;
  const seconds = wall[wall.length - 1]! - wall[warmup - 1]!;
  const measured = wall.length - warmup;
  return { preset, runtime: `vqrae train (tfjs ${tf.version_core} wasm)`, batch, msPerStep: (1000 * seconds) / measured,
    stepsPerS: measured / seconds, imagesPerS: (measured * batch) / seconds, note: '' };
}

async function encoderForwardMs(config: VqraeConfig, batch: number, repeats: number): Promise<number> {
  const model = await createVqrae(config, { seed: 0 });
  const images = tf.randomUniform([batch, model.inputSize, model.inputSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const once = async (): Promise<void> => {
    const features = model.features(images);
    await features.data();
    features.dispose();
  };
  await once();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) await once();
  const ms = (performance.now() - start) / repeats;
  images.dispose();
  model.dispose();
  return ms;
}

function benchTorch(config: VqraeConfig, batch: number, steps: number, warmup: number): Row {
  const payload = JSON.stringify({ encoder: config.encoder, quantizer: config.quantizer, decoder: config.decoder, batch, steps, warmup, threads: 2 });
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, payload], { env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench-train: ${TORCH_SCRIPT} failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ms_per_step: number; steps_per_s: number; images_per_s: number; threads: number; torch: string };
  return { preset: config.preset, runtime: `torch ${out.torch} cpu, ${out.threads} threads`, batch, msPerStep: out.ms_per_step,
    stepsPerS: out.steps_per_s, imagesPerS: out.images_per_s, note: '' };
}

async function main(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('bench-train: wasm backend unavailable');
  await tf.ready();
  const presets = arg('presets', 'small-cpu,tiny').split(',');
  const steps = Number(arg('steps', '6'));
  const warmup = Math.max(1, Number(arg('warmup', '2')));
  const data = await shards();
  const rows: Row[] = [];
  for (const name of presets) {
    const config = presetConfig(name);
    const batch = BATCH[name] ?? 8;
    const ts = benchCli(name, data, steps, warmup);
    const encoderMs = await encoderForwardMs(config, batch, 3);
    const torch = benchTorch(config, batch, steps, warmup);
    ts.note = `frozen encoder fwd ${encoderMs.toFixed(0)} ms/step; ${(ts.msPerStep / torch.msPerStep).toFixed(1)}× the PyTorch step time`;
    rows.push(ts, torch);
  }
  const header = ['preset', 'runtime', 'batch', 'ms/step', 'steps/s', 'img/s', 'note'];
  const lines = rows.map((r) => [r.preset, r.runtime, String(r.batch), r.msPerStep.toFixed(0), r.stepsPerS.toFixed(3), r.imagesPerS.toFixed(2), r.note]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`bench:train — ${steps} measured steps after ${warmup} warm-up steps, one run`);
  console.log(format(header));
  for (const line of lines) console.log(format(line));
  fs.writeFileSync(path.join(WORKSPACE_ROOT, 'tmp/bench/train.json'), `${JSON.stringify({ steps, warmup, rows }, null, 2)}\n`);
}

await main();
