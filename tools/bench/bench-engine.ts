/**
 * `npm run bench:engine`: the ONNX Runtime engine (`@vqrae/onnx`, CPU provider, 2 intra-op threads) side by side with
 * the tfjs engine (wasm, one thread: threaded wasm deadlocks, see ECOSYSTEM.md) and PyTorch on the CPU (Debian
 * python3-torch, torch.set_num_threads(2), OMP_WAIT_POLICY=PASSIVE, inference mode), in one run. Random seeded
 * weights (speed only); every engine runs the same shapes. Rows:
 * - SigLIP2-B/16-256 encoder (Z_I, B 4), images/s: `OnnxEngine.features` / `tfjsEngine.features` / torch_tokenizer.py;
 * - SimVQ nearest-code search k = 16384, e = 1536 on 1024 tokens per call, tokens/s: the engine's own blocked and
 *   chunked search (`searchOnlyGraph`: a Loop over row blocks, −2z·C'ᵀ + ‖C'‖², ArgMin, first-minimum joins, default
 *   maxChunkElements) / `nearestCodeIndices` (same default chunking) / torch addmm + argmin;
 * - ViT-B decoder (768/12/12/3072, e 1536, p16, B 4) from code indices, images/s: `decode` of both engines /
 *   torch_tokenizer.py's RAE-layout decoder;
 * - FID-Inception (full width, torch-fidelity input: uint8 256² → 299, B 8), images/s: `inceptionFeatureSession` /
 *   `FidInception` / tools/bench/torch_fid_inception.py, all on the same seeded weights (written by the peer);
 * - `vqrae dump-tokens` end to end (small-cpu, synthetic ~500×375 JPEGs) at 500 and 2,000 images: images/s and
 *   peak RSS (bench-engine-dump.ts).
 * Each model cell: one warm-up call (it also creates the ONNX session), then the median of --iters calls. The
 * engines run one after another (never concurrently), PyTorch last, so all see the same machine.
 *
 *   npm run bench:engine                       # full size (minutes; run on a quiet machine)
 *   npm run bench:engine -- --quick            # tiny shapes, 40-image dump: checks that everything runs
 *   npm run bench:engine -- --only enc,fid --iters 5 --sizes 500 --no-torch
 * Item ids for --only: enc, search, dec, fid, dump.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { FidInception } from '@vqrae/eval';
import { OnnxEngine, inceptionFeatureSession, requireOnnxRuntime, searchOnlyGraph, sessionOptions } from '@vqrae/onnx';
import {
  createVqrae,
  nearestCodeIndices,
  SIGLIP_ENCODER_PRESETS,
  tfjsEngine,
  type SiglipEncoderConfig,
  type TokenizerEngine,
  type VqraeConfig,
} from '@vqrae/tokenizer';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { dumpRows } from './bench-engine-dump.js';
import { cell, printDumpTable, printModelTable, runPython, timeCalls, torchAvailable, type Cell, type Measured, type ModelRow } from './bench-engine-report.js';

const THREADS = 2;
const OUT = path.join(WORKSPACE_ROOT, 'tmp/bench/engine');
const TORCH_TOKENIZER = path.join(WORKSPACE_ROOT, 'tools/bench/torch_tokenizer.py');
const TORCH_FID = path.join(WORKSPACE_ROOT, 'tools/bench/torch_fid_inception.py');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

/** Shapes of one run: full size, or tiny ones (`--quick`) that only check the bench runs end to end. */
interface Sizes {
  readonly encoder: SiglipEncoderConfig;
  readonly codebookSize: number;
  readonly codebookDim: number;
  readonly decoder: VqraeConfig['decoder'];
  readonly batch: number;
  readonly searchTokens: number;
  readonly fid: { readonly widthDivisor: number; readonly size: number; readonly batch: number };
  readonly dumpImages: readonly number[];
}

const FULL: Sizes = {
  encoder: SIGLIP_ENCODER_PRESETS['siglip2-base-patch16-256'],
  codebookSize: 16384,
  codebookDim: 1536,
  decoder: { hiddenSize: 768, numLayers: 12, numHeads: 12, intermediateSize: 3072, patchSize: 16, activation: 'gelu', layerNormEps: 1e-12 },
  batch: 4,
  searchTokens: 1024,
  fid: { widthDivisor: 1, size: 256, batch: 8 },
  dumpImages: [500, 2000],
};

const QUICK: Sizes = {
  encoder: { ...SIGLIP_ENCODER_PRESETS.tiny, imageSize: 64, patchSize: 16, hiddenSize: 128, numHeads: 4, intermediateSize: 512 },
  codebookSize: 1024,
  codebookDim: 256,
  decoder: { hiddenSize: 128, numLayers: 2, numHeads: 4, intermediateSize: 512, patchSize: 16, activation: 'gelu', layerNormEps: 1e-12 },
  batch: 2,
  searchTokens: 256,
  fid: { widthDivisor: 16, size: 64, batch: 2 },
  dumpImages: [40],
};

function modelConfig(s: Sizes): VqraeConfig {
  return {
    format: 'vqrae/1',
    preset: 'bench-engine',
    encoder: s.encoder,
    quantizer: { codebookSize: s.codebookSize, codebookDim: s.codebookDim, beta: 0.25, codebookInitStd: s.codebookDim ** -0.5 },
    decoder: s.decoder,
  };
}

/** Seeded host arrays (tfjs' seeded generators, read once outside any tidy). */
function seededUniform(shape: number[], seed: number): Float32Array {
  const t = tf.randomUniform(shape, 0, 1, 'float32', seed);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

function seededNormal(shape: number[], std: number, seed: number): Float32Array {
  const t = tf.randomNormal(shape, 0, std, 'float32', seed);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

/** Encoder (features) and decoder (decode) cells of one engine, on a freshly seeded model it then disposes. */
async function engineCells(s: Sizes, open: (config: VqraeConfig) => Promise<TokenizerEngine>, iters: number): Promise<{ enc: Cell; dec: Cell }> {
  const engine = await open(modelConfig(s));
  try {
    const size = engine.inputSize;
    const pixels = { data: seededUniform([s.batch, size, size, 3], 1), batch: s.batch, size }; // [B, S, S, 3] pixel01
    const indices = Int32Array.from(seededUniform([s.batch * engine.tokensPerImage], 2), (u) => Math.floor(u * s.codebookSize)); // [B, N]
    const enc = await cell(`${engine.label} encoder`, () => timeCalls(1, iters, s.batch, async () => void (await engine.features(pixels))));
    const dec = await cell(`${engine.label} decoder`, () => timeCalls(1, iters, s.batch, async () => void (await engine.decode(indices, s.batch))));
    return { enc, dec };
  } finally {
    await engine.dispose();
  }
}

/** The search data: z [M, e], C'ᵀ [e, k] and ‖C'‖² [k] (random, scaled as a SimVQ codebook). */
function searchData(s: Sizes): { z: Float32Array; codesT: Float32Array; norms: Float32Array } {
  const e = s.codebookDim;
  const k = s.codebookSize;
  const codesT = seededNormal([e, k], e ** -0.5, 3);
  const norms = new Float32Array(k);
  for (let r = 0; r < e; r++) for (let j = 0; j < k; j++) norms[j]! += codesT[r * k + j]! ** 2;
  return { z: seededNormal([s.searchTokens, e], e ** -0.5, 4), codesT, norms };
}

async function onnxSearch(s: Sizes, iters: number): Promise<Measured> {
  const ort = await requireOnnxRuntime();
  const { z, codesT, norms } = searchData(s);
  // The engine's own search (blocks of R rows in a Loop against codebook chunks, default maxChunkElements), not a
  // stand-in: the same `codeSearch` every exported tokenize graph contains.
  const artifact = searchOnlyGraph({ codesT, norms, codebookSize: s.codebookSize, codebookDim: s.codebookDim });
  const session = await ort.InferenceSession.create(artifact.model, sessionOptions({ ep: 'cpu', threads: THREADS })); // as OnnxEngine's sessions
  try {
    const feeds = { z: new ort.Tensor('float32', z, [s.searchTokens, s.codebookDim]) };
    return await timeCalls(1, iters, s.searchTokens, async () => void (await session.run(feeds)));
  } finally {
    await session.release();
  }
}

async function tfjsSearch(s: Sizes, iters: number): Promise<Measured> {
  const { z, codesT, norms } = searchData(s);
  const zt = tf.tensor2d(z, [s.searchTokens, s.codebookDim]);
  const ct = tf.tensor2d(codesT, [s.codebookDim, s.codebookSize]);
  const nt = tf.tensor1d(norms);
  try {
    return await timeCalls(1, iters, s.searchTokens, async () => {
      const idx = nearestCodeIndices(zt, ct, nt);
      await idx.data();
      idx.dispose();
    });
  } finally {
    tf.dispose([zt, ct, nt]);
  }
}

/** FID-Inception weights (seeded random, torchvision names) written once by the PyTorch peer; the committed width/16 fixture when torch is missing. */
function fidWeights(s: Sizes, torchOk: boolean): string {
  const file = path.join(OUT, `fid_inception_w${s.fid.widthDivisor}_seed0.safetensors`);
  if (fs.existsSync(file)) return file;
  if (torchOk) {
    runPython(TORCH_FID, ['--width-divisor', String(s.fid.widthDivisor), '--write-weights', file]);
    return file;
  }
  if (s.fid.widthDivisor === 16) return path.join(WORKSPACE_ROOT, 'libs/eval/test/fixtures/fid/fid_inception_w16_weights.safetensors');
  throw new Error('full-width FID-Inception weights are written by the PyTorch peer, which is unavailable');
}

function fidImages(s: Sizes): Uint8Array {
  return Uint8Array.from(seededUniform([s.fid.batch, s.fid.size, s.fid.size, 3], 5), (u) => Math.floor(u * 256)); // [B, S, S, 3]
}

async function onnxFid(s: Sizes, weights: string, iters: number): Promise<Measured> {
  const session = await inceptionFeatureSession(weights, 'torch-fidelity', { threads: THREADS });
  try {
    const images = { data: fidImages(s), batch: s.fid.batch, height: s.fid.size, width: s.fid.size, range: 'uint8' as const };
    return await timeCalls(1, iters, s.fid.batch, async () => void (await session(images)));
  } finally {
    await session.dispose();
  }
}

async function tfjsFid(s: Sizes, weights: string, iters: number): Promise<Measured> {
  const model = await FidInception.load(weights, { variant: 'torch-fidelity', widthDivisor: s.fid.widthDivisor });
  const images = tf.tensor4d(Int32Array.from(fidImages(s)), [s.fid.batch, s.fid.size, s.fid.size, 3], 'int32');
  try {
    return await timeCalls(1, iters, s.fid.batch, async () => {
      const features = await model.extract(images, 'uint8');
      await features.data();
      features.dispose();
    });
  } finally {
    images.dispose();
    model.dispose();
  }
}

function torchMeasured(result: Record<string, unknown>): Measured {
  return { medianMs: Number(result.median_ms), unitsPerCall: Number(result.units_per_call), load1: Number(result.load1) };
}

/** The model rows' PyTorch cells, from one torch_tokenizer.py run plus the FID peer. */
function torchCells(s: Sizes, items: Set<string>, iters: number, fidWeightsReady: boolean, torch: ReturnType<typeof torchAvailable>): Record<string, Cell> {
  const missing = (reason: string): Cell => ({ missing: reason });
  if (!torch.ok) return { enc: missing(torch.reason), search: missing(torch.reason), dec: missing(torch.reason), fid: missing(torch.reason) };
  const e = s.encoder;
  const spec = [
    items.has('enc') && { id: 'enc', kind: 'enc-siglip', image: e.imageSize, patch: e.patchSize, dim: e.hiddenSize, layers: e.numLayers, heads: e.numHeads, mlp: e.intermediateSize, batch: s.batch },
    items.has('search') && { id: 'search', kind: 'search', k: s.codebookSize, e: s.codebookDim, tokens: s.searchTokens },
    items.has('dec') && {
      id: 'dec', kind: 'dec', latent: s.codebookDim, dim: s.decoder.hiddenSize, layers: s.decoder.numLayers, heads: s.decoder.numHeads,
      mlp: s.decoder.intermediateSize, patch: s.decoder.patchSize, grid: e.imageSize / e.patchSize, batch: s.batch,
    },
  ].filter(Boolean);
  const out: Record<string, Cell> = {};
  if (spec.length > 0) {
    try {
      const result = runPython(TORCH_TOKENIZER, [JSON.stringify({ items: spec, warmup: 1, iters, threads: THREADS })]) as { results: { id: string; median_ms: number; units_per_call: number; load1: number }[] };
      for (const r of result.results) out[r.id] = torchMeasured(r as unknown as Record<string, unknown>);
    } catch (error) {
      for (const item of spec) if (item) out[item.id] = missing((error as Error).message.slice(0, 160));
    }
  }
  if (items.has('fid')) {
    out.fid = fidWeightsReady
      ? (() => {
          try {
            return torchMeasured(runPython(TORCH_FID, ['--width-divisor', String(s.fid.widthDivisor), '--size', String(s.fid.size), '--batch', String(s.fid.batch), '--iters', String(iters), '--threads', String(THREADS)]));
          } catch (error) {
            return missing((error as Error).message.slice(0, 160));
          }
        })()
      : missing('no weights');
  }
  return out;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const s = quick ? QUICK : FULL;
  const iters = Number(arg('iters', quick ? '1' : '3'));
  const items = new Set(arg('only', 'enc,search,dec,fid,dump').split(','));
  const dumpImages = arg('sizes', '') === '' ? s.dumpImages : arg('sizes', '').split(',').map(Number);
  if (!(await tf.setBackend('wasm'))) throw new Error('bench-engine: the wasm backend could not be initialised');
  await tf.ready();
  fs.mkdirSync(OUT, { recursive: true });
  const torch = process.argv.includes('--no-torch') ? ({ ok: false, reason: '--no-torch' } as const) : torchAvailable();
  const started = performance.now();
  console.log(
    `bench:engine${quick ? ' --quick (tiny shapes: checks the bench, not the engines)' : ''} — onnxruntime-node cpu ${THREADS} threads, ` +
      `tfjs ${tf.version.tfjs} wasm 1 thread, PyTorch ${torch.ok ? torch.version : 'unavailable'} ${THREADS} threads; warm-up 1, median of ${iters}; ` +
      `${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)} at start`,
  );
  const none: Cell = { missing: 'not requested' };
  type EngineCells = Record<'enc' | 'dec' | 'search' | 'fid', Cell>;
  const cells: { onnx: EngineCells; tfjs: EngineCells } = { onnx: { enc: none, dec: none, search: none, fid: none }, tfjs: { enc: none, dec: none, search: none, fid: none } };
  if (items.has('enc') || items.has('dec')) {
    const onnxEngine = (config: VqraeConfig): Promise<TokenizerEngine> =>
      createVqrae(config, { seed: 0 }).then((model) => OnnxEngine.create(model, { ep: 'cpu', threads: THREADS }));
    const tfjsOpen = async (config: VqraeConfig): Promise<TokenizerEngine> => tfjsEngine(await createVqrae(config, { seed: 0 }));
    Object.assign(cells.onnx, await engineCells(s, onnxEngine, iters));
    Object.assign(cells.tfjs, await engineCells(s, tfjsOpen, iters));
  }
  if (items.has('search')) {
    cells.onnx.search = await cell('onnx search', () => onnxSearch(s, iters));
    cells.tfjs.search = await cell('tfjs search', () => tfjsSearch(s, iters));
  }
  let weights: string | undefined;
  if (items.has('fid')) {
    try {
      weights = fidWeights(s, torch.ok);
    } catch (error) {
      cells.onnx.fid = cells.tfjs.fid = { missing: (error as Error).message };
    }
    if (weights !== undefined) {
      const w = weights;
      cells.onnx.fid = await cell('onnx FID-Inception', () => onnxFid(s, w, iters));
      cells.tfjs.fid = await cell('tfjs FID-Inception', () => tfjsFid(s, w, iters));
    }
  }
  const torchModel = torchCells(s, items, iters, weights !== undefined, torch);
  const e = s.encoder;
  const rowDefs = [
    { id: 'enc', unit: 'img/s', label: `SigLIP${quick ? '-style tiny' : '2-B/16-256'} encoder (${e.hiddenSize}, ${e.numLayers} layers, ${e.imageSize} px, B ${s.batch})` },
    { id: 'search', unit: 'tok/s', label: `SimVQ nearest-code search k=${s.codebookSize} e=${s.codebookDim} (${s.searchTokens} tok/call)` },
    { id: 'dec', unit: 'img/s', label: `ViT${quick ? ' tiny' : '-B'} decoder (${s.decoder.hiddenSize}/${s.decoder.numLayers}/${s.decoder.numHeads}/${s.decoder.intermediateSize}, e ${s.codebookDim}, B ${s.batch})` },
    { id: 'fid', unit: 'img/s', label: `FID-Inception${s.fid.widthDivisor === 1 ? '' : ` width/${s.fid.widthDivisor}`} (uint8 ${s.fid.size}² → 299, torch-fidelity, B ${s.fid.batch})` },
  ] as const;
  const rows: ModelRow[] = rowDefs
    .filter((r) => items.has(r.id))
    .map((r) => ({ label: r.label, unit: r.unit, onnx: cells.onnx[r.id], tfjs: cells.tfjs[r.id], torch: torchModel[r.id] ?? none }));
  const dump = [];
  if (items.has('dump')) for (const count of dumpImages) dump.push(...(await dumpRows(count, path.join(OUT, 'dump'), torch)));
  printModelTable(rows, { onnx: `ONNX Runtime cpu, ${THREADS} threads`, tfjs: 'tfjs wasm, 1 thread', torch: `PyTorch CPU, ${THREADS} threads` });
  if (dump.length > 0) printDumpTable(dump);
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

await main();
