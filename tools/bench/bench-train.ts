/**
 * `npm run bench:train`: steps/s of VQRAE stage-1 training steps in TypeScript (tfjs wasm) against the same step in
 * PyTorch on the CPU (Debian python3-torch, 2 threads, OMP_WAIT_POLICY=PASSIVE), measured in one run. Rows:
 *
 * - `L2+VQ` (`small-cpu` batch 8, `tiny` batch 16): frozen encoder forward outside the tape → quant_in → SimVQ → ViT
 *   decoder → L2 + VQ loss → gradients → AdamW → EMA. The PyTorch peer runs just before and just after the TS run
 *   (its row is the mean of the two) so that both see the same background load. The TypeScript side runs the real CLI (`vqrae train
 *   --perceptual off --gan-weight 0 --accumulate 1`) in a child process on 64 synthetic 256×256 JPEGs (cached under
 *   tmp/bench/train-v1) and reads the step times from its per-step Arrow log (wall-clock deltas after `--warmup`
 *   steps: start-up, model build and the final checkpoint are excluded; data loading overlaps the step as in real
 *   training). Peer: tools/bench/torch_train_step.py (random weights, fixed random batch).
 * - `full` (`small-cpu` only): the preset's whole default recipe (batch 4 × accumulate 2; L2 + enc-perceptual on the
 *   frozen MobileNetV2 taps + E_T-disc G term 0.75·a + VQ; AdamW; EMA; one D step), built in-process exactly as a
 *   training job builds it (`loadModelSource` + `buildStageLosses` + `buildTrainer`, trainDefaults('small-cpu', 1))
 *   but with `ganDStart = ganGStart = 0`, so every step has the perceptual term, the G term and a D update; random
 *   pixel01 batches. Peer: tools/bench/torch_train_full.py, driven step by step: TS and PyTorch steps ALTERNATE, so
 *   both see the same background load. With the default a-cadence (every 5th G step) the first step (warm-up)
 *   computes a, steps 1–4 reuse it and step 5 recomputes it: rows `full, a recomputed` (step 5), `full, a reused`
 *   (mean of steps 1–4) and `full, mean of 5` (steps 1–5: exactly one recompute). A second table splits the full
 *   step into phases (TS phases timed by wrapping the objective's prepare/forward and the adversary's D step).
 *
 * Options: --presets small-cpu,tiny  --steps 6  --warmup 2  --full-steps 5 (0 = skip the full variant)
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
import { benchFull, type FullStep, type Phases } from './bench-train-full.js';

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/torch_train_step.py');
const CLI = path.join(WORKSPACE_ROOT, 'apps/pipeline/bin/vqrae.mjs');
const CACHE = path.join(WORKSPACE_ROOT, 'tmp/bench/train-v1');
const BATCH: Record<string, number> = { 'small-cpu': 8, tiny: 16 };
const TORCH_ENV = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' };

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

interface Row {
  preset: string;
  variant: string;
  runtime: string;
  /** Images per optimizer step (batch × accumulate). */
  images: string;
  msPerStep: number;
  /** TS ms / PyTorch ms, on the TS row of a pair. */
  ratio: number | null;
  note: string;
}


const uptime = (): string => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

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

/** ms/step of the L2 + VQ step as `vqrae train` runs it (child process, per-step Arrow log). */
function benchCli(preset: string, data: string, steps: number, warmup: number): number {
  const out = path.join(WORKSPACE_ROOT, 'tmp/bench', `train-run-${preset}`);
  fs.rmSync(out, { recursive: true, force: true });
  const args = [CLI, 'train', '--preset', preset, '--data', data, '--steps', String(steps + warmup), '--batch', String(BATCH[preset] ?? 8),
    '--accumulate', '1', '--perceptual', 'off', '--gan-weight', '0', '--checkpoint-every', '0', '--backend', 'wasm', '--out', out, '--quiet'];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', cwd: WORKSPACE_ROOT });
  if (run.status !== 0) throw new Error(`bench-train: vqrae train failed (${run.status}): ${run.stderr}`);
  const logDir = path.join(out, 'log');
  const file = fs.readdirSync(logDir).find((f) => f.endsWith('.arrows'));
  if (!file) throw new Error(`bench-train: no step log in ${logDir}`);
  const table = tableFromIPC(fs.readFileSync(path.join(logDir, file)));
  const wall = table.getChild('wall_s')!.toArray() as Float64Array;
  return (1000 * (wall[wall.length - 1]! - wall[warmup - 1]!)) / (wall.length - warmup);
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

function benchTorch(config: VqraeConfig, batch: number, steps: number, warmup: number): { ms: number; runtime: string } {
  const payload = JSON.stringify({ encoder: config.encoder, quantizer: config.quantizer, decoder: config.decoder, batch, steps, warmup, threads: 2 });
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, payload], { env: TORCH_ENV, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`bench-train: ${TORCH_SCRIPT} failed: ${run.stderr}`);
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { ms_per_step: number; threads: number; torch: string };
  return { ms: out.ms_per_step, runtime: `torch ${out.torch} cpu, ${out.threads} threads` };
}

function printTable(header: readonly string[], lines: readonly string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(format(header));
  for (const line of lines) console.log(format(line));
}

function pair(preset: string, variant: string, images: string, tsMs: number, torchMs: number, runtimes: { ts: string; torch: string }, note = ''): Row[] {
  return [
    { preset, variant, runtime: runtimes.ts, images, msPerStep: tsMs, ratio: tsMs / torchMs, note },
    { preset, variant, runtime: runtimes.torch, images, msPerStep: torchMs, ratio: null, note: '' },
  ];
}

async function main(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('bench-train: wasm backend unavailable');
  await tf.ready();
  const presets = arg('presets', 'small-cpu,tiny').split(',');
  const steps = Number(arg('steps', '6'));
  const warmup = Math.max(1, Number(arg('warmup', '2')));
  const fullSteps = Number(arg('full-steps', '5'));
  const loadBefore = uptime();
  const data = await shards();
  const rows: Row[] = [];
  let phaseLines: string[][] = [];
  let phaseHeader: string[] = [];
  const tsRuntime = `tfjs ${tf.version_core} wasm`;
  for (const name of presets) {
    const config = presetConfig(name);
    const batch = BATCH[name] ?? 8;
    // PyTorch before and after the (longer) TS run, averaged, so both sides see the same background load.
    const before = benchTorch(config, batch, steps, warmup);
    const tsMs = benchCli(name, data, steps, warmup);
    const after = benchTorch(config, batch, steps, warmup);
    const encoderMs = await encoderForwardMs(config, batch, 3);
    const torchNote = `PyTorch before/after the TS run: ${before.ms.toFixed(0)}/${after.ms.toFixed(0)} ms`;
    rows.push(...pair(name, 'L2+VQ', String(batch), tsMs, (before.ms + after.ms) / 2, { ts: `vqrae train (${tsRuntime})`, torch: before.runtime },
      `frozen encoder fwd ${encoderMs.toFixed(0)} ms/step`));
    rows[rows.length - 1]!.note = torchNote;
    if (name === 'small-cpu' && fullSteps > 0) {
      const full = await benchFull(fullSteps);
      const runtimes = { ts: `Trainer in-process (${tsRuntime})`, torch: full.runtime };
      const re = full.measured.filter((s) => s.recompute);
      const reuse = full.measured.filter((s) => !s.recompute);
      const ts = (list: FullStep[]) => mean(list.map((s) => s.tsMs));
      const th = (list: FullStep[]) => mean(list.map((s) => s.torchMs));
      if (re.length > 0) rows.push(...pair(name, `full, a recomputed (${re.length} step)`, full.images, ts(re), th(re), runtimes));
      if (reuse.length > 0) rows.push(...pair(name, `full, a reused (mean of ${reuse.length})`, full.images, ts(reuse), th(reuse), runtimes));
      rows.push(...pair(name, `full, mean of ${full.measured.length} (a every ${full.adaptiveEvery})`, full.images, ts(full.measured), th(full.measured), runtimes));
      const keys: (keyof Phases)[] = ['prepare', 'adaptive', 'forward', 'backwardOptimizerEma', 'dStep'];
      const phaseMean = (list: FullStep[], side: 'ts' | 'torch', key: keyof Phases) => mean(list.map((s) => s[side][key]));
      const groups = [{ label: 'a reused', list: reuse }, { label: 'a recomputed', list: re }].filter((g) => g.list.length > 0);
      phaseHeader = ['phase', ...groups.flatMap((g) => [`TS (${g.label})`, 'torch', 'ratio'])];
      phaseLines = keys.map((key) => {
        const cells: string[] = [key];
        for (const { list } of groups) {
          const [a, b] = [phaseMean(list, 'ts', key), phaseMean(list, 'torch', key)];
          cells.push(a.toFixed(0), b.toFixed(0), b > 1 ? `${(a / b).toFixed(1)}×` : '');
        }
        return cells;
      });
    }
  }
  const loadAfter = uptime();
  console.log(`bench:train — L2+VQ: ${steps} measured steps after ${warmup} warm-up steps; full: ${fullSteps} measured steps after 1 warm-up step, TS and PyTorch alternating step by step; one run`);
  console.log(`load before: ${loadBefore}\nload after:  ${loadAfter}`);
  printTable(['preset', 'variant', 'runtime', 'images/step', 'ms/step', 'steps/s', 'TS/PyTorch', 'note'], rows.map((r) => [
    r.preset, r.variant, r.runtime, r.images, r.msPerStep.toFixed(0), (1000 / r.msPerStep).toFixed(3), r.ratio === null ? '' : `${r.ratio.toFixed(1)}×`, r.note,
  ]));
  if (phaseLines.length > 0) {
    console.log('\nfull step by phase (ms per optimizer step, both micro-batches): prepare = encoder fwd for Z_I + target taps; adaptive = a (two gradient calls);');
    console.log('forward = taped forward; backwardOptimizerEma = the rest of trainStep (backward, grad sums, AdamW, EMA); dStep = fakes recomputed + D update');
    printTable(phaseHeader, phaseLines);
  }
  fs.writeFileSync(path.join(WORKSPACE_ROOT, 'tmp/bench/train.json'), `${JSON.stringify({ steps, warmup, fullSteps, loadBefore, loadAfter, rows, phases: [phaseHeader, ...phaseLines] }, null, 2)}\n`);
}

await main();
