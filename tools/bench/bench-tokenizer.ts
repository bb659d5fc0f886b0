/**
 * `npm run bench:tokenizer`: throughput of the tokenizer's building blocks on the tfjs wasm backend (one thread),
 * side by side with the same shapes in PyTorch on the CPU (tools/bench/torch_tokenizer.py, Debian python3-torch,
 * 2 threads, OMP_WAIT_POLICY=PASSIVE), in one run. Random weights (speed only), except the small-cpu encoder, which
 * runs the packaged nsfwjs MobileNetV2 weights.
 *
 * Items (median of --iters timed calls after one warm-up call; the 1-minute load average is printed with each):
 * - search k×e: `nearestCodeIndices` on 1024 tokens with a cached projected codebook C'ᵀ (inference path), tokens/s;
 * - train-quant k×e: `SimVQ.quantize` + gradients of its total loss w.r.t. quant_in, W, b (1024 tokens), tokens/s;
 * - encoder / decoder forward of `small-cpu` (MobileNetV2 → block_13_expand_relu; decoder 192×4, B 8) and of a
 *   ViT-B/16-256 configuration (SigLIP2-base encoder; symmetric decoder 768/12/12/3072 on e = 768, B 4), images/s.
 * PyTorch runs after the TypeScript side (never concurrently), so both see the same machine.
 * Options: --only id1,id2  --iters 3  --no-torch
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ParamStore, Rng } from '@vqrae/nn';
import { createVqrae, nearestCodeIndices, presetConfig, SIGLIP_ENCODER_PRESETS, SiglipEncoder, SimVQ, VitDecoder } from '@vqrae/tokenizer';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { type BenchItem, type Measured, printTable, timeCalls } from './bench-tokenizer-report.js';

const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/torch_tokenizer.py');
const TOKENS = 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const VIT_B_DECODER = { hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, patchSize: 16, activation: 'gelu', layerNormEps: 1e-12 } as const;
const SMALL = presetConfig('small-cpu');

const ITEMS: readonly BenchItem[] = [
  { id: 'search-16384x1536', label: 'quantizer search k=16384 e=1536 (1024 tok/call)', unit: 'tok/s', torch: { kind: 'search', k: 16384, e: 1536, tokens: TOKENS } },
  { id: 'search-4096x768', label: 'quantizer search k=4096 e=768 (1024 tok/call)', unit: 'tok/s', torch: { kind: 'search', k: 4096, e: 768, tokens: TOKENS } },
  { id: 'train-quant-16384x1536', label: 'training quantize fwd+bwd k=16384 e=1536', unit: 'tok/s', torch: { kind: 'train-quant', k: 16384, e: 1536, tokens: TOKENS } },
  { id: 'train-quant-4096x768', label: 'training quantize fwd+bwd k=4096 e=768', unit: 'tok/s', torch: { kind: 'train-quant', k: 4096, e: 768, tokens: TOKENS } },
  { id: 'enc-small-cpu', label: 'small-cpu encoder (MobileNetV2 s16, 224 px, B 8)', unit: 'img/s', torch: { kind: 'enc-mobilenetv2', batch: 8 } },
  { id: 'dec-small-cpu', label: 'small-cpu decoder (D 192, 4 layers, p16, B 8)', unit: 'img/s', torch: { kind: 'dec', latent: 256, dim: 192, layers: 4, heads: 3, mlp: 768, patch: 16, grid: 14, batch: 8 } },
  { id: 'enc-siglip-b', label: 'SigLIP2-B/16-256 encoder (768, 12 layers, B 4)', unit: 'img/s', torch: { kind: 'enc-siglip', image: 256, patch: 16, dim: 768, layers: 12, heads: 12, mlp: 3072, batch: 4 } },
  { id: 'dec-vit-b', label: 'ViT-B decoder (768/12/12/3072, e 768, p16, B 4)', unit: 'img/s', torch: { kind: 'dec', latent: 768, dim: 768, layers: 12, heads: 12, mlp: 3072, patch: 16, grid: 16, batch: 4 } },
];

function randomNormal(shape: number[], std: number, seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, std, 'float32', seed);
}

function benchSearch(k: number, e: number, iters: number): Measured {
  const z = randomNormal([TOKENS, e], e ** -0.5, 1) as tf.Tensor2D; // [M, e]
  const codesT = randomNormal([e, k], e ** -0.5, 2) as tf.Tensor2D; // C'ᵀ [e, k]
  const norms = tf.tidy(() => tf.sum(tf.square(codesT), 0)) as tf.Tensor1D; // ‖C'_j‖² [k]
  try {
    return timeCalls(iters, TOKENS, () => {
      const idx = nearestCodeIndices(z, codesT, norms);
      idx.dataSync();
      idx.dispose();
    });
  } finally {
    tf.dispose([z, codesT, norms]);
  }
}

function benchTrainQuantize(k: number, e: number, iters: number): Measured {
  const quantizer = new SimVQ({ codebookSize: k, codebookDim: e, beta: 0.25, codebookInitStd: e ** -0.5 }, e);
  const store = new ParamStore();
  quantizer.initParams(store, new Rng(3));
  const features = randomNormal([1, TOKENS, e], 1, 4) as tf.Tensor3D; // [1, M, d = e]
  const variables = [...store.trainableVariables().values()];
  try {
    return timeCalls(iters, TOKENS, () => {
      const { value, grads } = tf.variableGrads(() => quantizer.quantize(store, features).losses.total, variables);
      value.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    });
  } finally {
    features.dispose();
    quantizer.dispose();
    store.dispose();
  }
}

function timeForward(iters: number, batch: number, input: tf.Tensor, run: (x: tf.Tensor) => tf.Tensor): Measured {
  return timeCalls(iters, batch, () => {
    const out = run(input);
    out.dataSync();
    out.dispose();
  });
}

async function benchSmallCpu(which: 'enc' | 'dec', iters: number): Promise<Measured> {
  const model = await createVqrae(SMALL, { seed: 5 });
  const batch = 8;
  const input =
    which === 'enc'
      ? tf.randomUniform([batch, model.inputSize, model.inputSize, 3], 0, 1, 'float32', 6)
      : randomNormal([batch, model.tokensPerImage, SMALL.quantizer.codebookDim], SMALL.quantizer.codebookDim ** -0.5, 7);
  try {
    return which === 'enc'
      ? timeForward(iters, batch, input, (x) => model.features(x as tf.Tensor4D))
      : timeForward(iters, batch, input, (x) => model.decoder.decode(model.params, x as tf.Tensor3D));
  } finally {
    input.dispose();
    model.dispose();
  }
}

function benchVitB(which: 'enc' | 'dec', iters: number): Measured {
  const encoder = new SiglipEncoder(SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256']);
  const store = new ParamStore();
  const batch = 4;
  const rng = new Rng(8);
  let input: tf.Tensor | null = null;
  try {
    if (which === 'enc') {
      encoder.initParams(store, rng, { trainable: false });
      input = tf.randomUniform([batch, 256, 256, 3], 0, 1, 'float32', 9); // [B, S, S, 3]
      return timeForward(iters, batch, input, (x) => encoder.encode(store, x as tf.Tensor4D));
    }
    const decoder = new VitDecoder(VIT_B_DECODER, 768, encoder.geometry);
    decoder.initParams(store, rng);
    input = randomNormal([batch, encoder.geometry.gridSize ** 2, 768], 768 ** -0.5, 10); // [B, N, e]
    return timeForward(iters, batch, input, (x) => decoder.decode(store, x as tf.Tensor3D));
  } finally {
    input?.dispose();
    store.dispose();
  }
}

async function runTs(item: BenchItem, iters: number): Promise<Measured> {
  const t = item.torch;
  switch (item.id) {
    case 'search-16384x1536':
    case 'search-4096x768':
      return benchSearch(Number(t.k), Number(t.e), iters);
    case 'train-quant-16384x1536':
    case 'train-quant-4096x768':
      return benchTrainQuantize(Number(t.k), Number(t.e), iters);
    case 'enc-small-cpu':
      return benchSmallCpu('enc', iters);
    case 'dec-small-cpu':
      return benchSmallCpu('dec', iters);
    case 'enc-siglip-b':
      return benchVitB('enc', iters);
    case 'dec-vit-b':
      return benchVitB('dec', iters);
    default:
      throw new Error(`bench-tokenizer: no TypeScript runner for item '${item.id}'`);
  }
}

function runTorch(items: readonly BenchItem[], iters: number): Map<string, Measured> {
  const payload = JSON.stringify({ items: items.map((i) => ({ id: i.id, ...i.torch })), warmup: 1, iters, threads: 2 });
  const run = spawnSync(PYTHON, [TORCH_SCRIPT, payload], {
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) throw new Error(`bench-tokenizer: ${TORCH_SCRIPT} exited with ${run.status}`);
  const parsed = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
    torch: string;
    results: { id: string; median_ms: number; units_per_call: number; load1: number }[];
  };
  console.log(`PyTorch ${parsed.torch}, 2 threads`);
  return new Map(parsed.results.map((r) => [r.id, { medianMs: r.median_ms, unitsPerCall: r.units_per_call, load1: r.load1 }]));
}

async function main(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('bench-tokenizer: the wasm backend could not be initialised');
  await tf.ready();
  const iters = Number(arg('iters', '3'));
  const only = arg('only', '');
  const items = only === '' ? ITEMS : ITEMS.filter((i) => only.split(',').includes(i.id));
  const started = performance.now();
  console.log(`bench:tokenizer — tfjs ${tf.version.tfjs} ${tf.getBackend()} (1 thread) vs PyTorch CPU; warm-up 1, median of ${iters}; load ${os.loadavg()[0].toFixed(2)} at start`);
  const ts = new Map<string, Measured>();
  for (const item of items) {
    const before = tf.memory().numTensors;
    const measured = await runTs(item, iters);
    if (tf.memory().numTensors !== before) console.warn(`  ${item.id}: ${tf.memory().numTensors - before} tensors leaked`);
    ts.set(item.id, measured);
    console.log(`  tfjs ${item.id}: ${measured.medianMs.toFixed(1)} ms/call (load ${measured.load1.toFixed(2)})`);
  }
  const torch = process.argv.includes('--no-torch') ? new Map<string, Measured>() : runTorch(items, iters);
  printTable(items, ts, torch);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
