/**
 * `npm run bench:data`: shard → decode → centre crop 256 → float32 batch throughput of @vqrae/data against a Python
 * peer (tools/bench/python_dataload.py: tarfile + PIL bicubic + numpy) on the same shards, in one run.
 *
 * Data: 640 deterministic synthetic photographs (mostly 500×375, some 375×500 and 500×333, like ImageNet val; smooth
 * colour fields, edges and noise, JPEG quality 90) in 5 shards of 128 with a `.cls` member, cached under
 * tmp/bench/data-v1 (delete it to rebuild). Node runs on the tfjs cpu backend (batches are plain float32 tensors).
 * Targets: Node ≥ 2× Python single-process; Node using both cores ≥ 1.5× Python with 2 processes.
 * `npm run bench:data -- --build-only` only builds the cached shards.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { newCounters, silentLogger, type StageContext } from '@vqrae/graph';
import { batchImages, collectingReporter, createRng, DatasetSpec, decodeImages, ShardWriter } from '@vqrae/data';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';

const IMAGES = 640;
const PER_SHARD = 128;
const SIZE = 256;
const BATCH = 32;
const CACHE = path.join(WORKSPACE_ROOT, 'tmp/bench/data-v1');
const PYTHON = '/usr/bin/python3';
const PY_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/python_dataload.py');

/** A photo-like RGB image: separable colour waves, a disc, a checker tint and tiled noise (seeded). */
function synthesize(index: number, width: number, height: number): Buffer {
  const rng = createRng(2024, 'bench-image', index);
  const data = Buffer.alloc(width * height * 3);
  const noise = Float32Array.from({ length: 97 * 89 }, () => (rng.next() + rng.next() + rng.next() - 1.5) * 14);
  const waves = [0, 1, 2].map(() => {
    const fx = rng.uniform(0.005, 0.05);
    const fy = rng.uniform(0.005, 0.05);
    const phase = rng.uniform(0, 6.28);
    return {
      cols: Float32Array.from({ length: width }, (_, x) => Math.sin(fx * x + phase)),
      rows: Float32Array.from({ length: height }, (_, y) => Math.cos(fy * y - phase)),
    };
  });
  const cx = rng.uniform(0.2, 0.8) * width;
  const cy = rng.uniform(0.2, 0.8) * height;
  const r2 = (rng.uniform(0.1, 0.3) * Math.min(width, height)) ** 2;
  const disc = [rng.int(256), rng.int(256), rng.int(256)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r2;
      const n = noise[(y % 89) * 97 + (x % 97)] as number;
      for (let c = 0; c < 3; c++) {
        const wave = waves[c] as { cols: Float32Array; rows: Float32Array };
        let v = inDisc ? (disc[c] as number) : 127 + 90 * (wave.cols[x] as number) * (wave.rows[y] as number);
        if (c === 1 && ((x >> 4) + (y >> 4)) % 2 === 0) v += 20;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v + n)));
      }
    }
  }
  return data;
}

async function ensureDataset(): Promise<string[]> {
  const manifestPath = path.join(CACHE, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    const cached = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { shards: string[]; images: number };
    if (cached.images === IMAGES && cached.shards.every((s) => fs.existsSync(s))) return cached.shards;
  }
  console.log(`building ${IMAGES} synthetic JPEGs in ${CACHE} ...`);
  fs.rmSync(CACHE, { recursive: true, force: true });
  const writer = new ShardWriter({ pattern: path.join(CACHE, 'bench-%06d.tar'), maxSamples: PER_SHARD });
  let bytes = 0;
  for (let i = 0; i < IMAGES; i++) {
    const [width, height] = i % 10 === 3 ? [375, 500] : i % 10 === 7 ? [500, 333] : [500, 375];
    const raw = synthesize(i, width, height);
    const jpg = await sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    bytes += jpg.length;
    await writer.write({ key: `val/img${String(i).padStart(6, '0')}`, files: { jpg, cls: Buffer.from(String(i % 1000)) } });
  }
  const shards = (await writer.close()).map((s) => s.path);
  fs.writeFileSync(manifestPath, JSON.stringify({ shards, images: IMAGES, meanJpegBytes: Math.round(bytes / IMAGES) }, null, 1));
  return shards;
}

/** Node: DatasetSpec → decodeImages(center 256) → batchImages(32, pixel01) → dispose. */
interface Measure {
  readonly images: number;
  readonly seconds: number;
  /** CPU seconds (user + system; for Node all threads of the process, for Python summed over processes). */
  readonly cpuSeconds: number;
}

async function runNode(shards: string[], concurrency: number): Promise<Measure> {
  const ctx: StageContext = { signal: new AbortController().signal, log: silentLogger, counters: newCounters(), skip: () => undefined };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let images = 0;
  const samples = new DatasetSpec({ shards }).open({ reporter: collectingReporter() });
  const decoded = decodeImages({ crop: { protocol: 'center', size: SIZE }, concurrency }).run(samples, ctx);
  for await (const batch of batchImages({ batchSize: BATCH, range: 'pixel01' }).run(decoded, ctx)) {
    images += batch.images.shape[0];
    batch.images.dispose();
  }
  const cpu = process.cpuUsage(cpuBefore);
  return { images, seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function ensurePythonDeps(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { encoding: 'utf8' });
  if (probe.status === 0) return;
  console.log('installing python3-pil python3-numpy (Debian) for the Python peer ...');
  const install = spawnSync('apt-get', ['install', '-y', 'python3-pil', 'python3-numpy'], { stdio: 'inherit' });
  if (install.status !== 0) throw new Error('bench:data: python3-pil/python3-numpy missing and apt-get install failed (run as root?)');
}

function runPython(shards: string[], procs: number): Measure {
  const result = spawnSync(PYTHON, [PY_SCRIPT, ...shards, '--size', String(SIZE), '--batch', String(BATCH), '--procs', String(procs)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (result.status !== 0) throw new Error(`python_dataload.py failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { images: number; seconds: number; cpu_seconds: number };
  return { images: parsed.images, seconds: parsed.seconds, cpuSeconds: parsed.cpu_seconds };
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const shards = await ensureDataset();
  if (process.argv.includes('--build-only')) return; // just build/refresh the cached shards
  ensurePythonDeps();
  console.log(`node ${process.versions.node}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${os.availableParallelism()} cores, ` +
    `UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  await runNode(shards.slice(0, 1), 4); // warm-up: JIT, page cache
  const rows: (Measure & { name: string })[] = [];
  const py1 = { name: 'python, 1 process', ...runPython(shards, 1) };
  const node1 = { name: 'node, 1 image in flight', ...(await runNode(shards, 1)) };
  const py2 = { name: 'python, 2 processes', ...runPython(shards, 2) };
  const node2 = { name: 'node, 2 in flight', ...(await runNode(shards, 2)) };
  const node4 = { name: 'node, 4 in flight', ...(await runNode(shards, 4)) };
  rows.push(py1, py2, node1, node2, node4);
  const rate = (r: Measure): number => r.images / r.seconds;
  const cpuMs = (r: Measure): string => ((1000 * r.cpuSeconds) / r.images).toFixed(2);
  console.log(`\n${IMAGES} JPEGs ~500×375 → decode → center ${SIZE} → float32 [${BATCH}, ${SIZE}, ${SIZE}, 3]`);
  console.log('| pipeline | images | s | images/s | × python-1 | × python-2 | CPU ms/image |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.images} | ${r.seconds.toFixed(2)} | ${rate(r).toFixed(1)} | ${(rate(r) / rate(py1)).toFixed(2)} | ${(rate(r) / rate(py2)).toFixed(2)} | ${cpuMs(r)} |`);
  }
  const bestNode = Math.max(rate(node1), rate(node2), rate(node4));
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  console.log(`\ntarget ≥ 2× python single-process (one node process): ${(bestNode / rate(py1)).toFixed(2)}× → ${verdict(bestNode >= 2 * rate(py1))}`);
  const bothCores = Math.max(rate(node2), rate(node4));
  console.log(`target ≥ 1.5× python 2-process (node on both cores): ${(bothCores / rate(py2)).toFixed(2)}× → ${verdict(bothCores >= 1.5 * rate(py2))}`);
}

await main();
