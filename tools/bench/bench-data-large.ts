/**
 * `bench:data`'s large-image table (issue 16.4): 2048×1536 JPEGs (tools/testing/large-photos.ts: demo scenes
 * upscaled with seeded texture, quality 90, cached under tmp/bench/large-v1-<count>) → center 256 → float32 batches.
 * Rows: vqrae `fast` and `exact` decode modes at 1, 2, 4 images in flight (sharp's default libvips threads) and
 * `auto` (its own choice of both; one Node process), against the
 * Python peer (tools/bench/python_dataload.py) with PIL full decode and with PIL `draft()` (DCT-domain downscale), 1
 * and 2 processes. Goals: best vqrae ≥ 4× PIL full decode single-process and ≥ 1.5× PIL draft with 2 processes.
 * The Python peer needs PIL and numpy (`findBenchPython`; never a system install from here).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { chooseDecodeConcurrency, ShardWriter } from '@vqrae/data';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { largePhotoJpeg } from '../testing/large-photos.js';
import { busyCores, formatMeasure, runNodePipeline, type Measure } from './bench-data-node.js';
import { findBenchPython } from './bench-python.js';

const SIZE = 256;
const BATCH = 32;
const PY_SCRIPT = path.join(WORKSPACE_ROOT, 'tools/bench/python_dataload.py');

/** Builds (or reuses) `count` 2048×1536 JPEGs in `shardCount` shards; returns the shard paths. */
async function ensureLargeDataset(count: number, shardCount: number): Promise<string[]> {
  const dir = path.join(WORKSPACE_ROOT, `tmp/bench/large-v1-${count}`);
  const manifestPath = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    const cached = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { shards: string[] };
    if (cached.shards.every((s) => fs.existsSync(s))) return cached.shards;
  }
  console.log(`building ${count} synthetic 2048×1536 JPEGs in ${dir} ...`);
  fs.rmSync(dir, { recursive: true, force: true });
  const writer = new ShardWriter({ pattern: path.join(dir, 'large-%06d.tar'), maxSamples: Math.ceil(count / shardCount) });
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const jpg = await largePhotoJpeg(i);
    bytes += jpg.length;
    await writer.write({ key: `large/img${String(i).padStart(6, '0')}`, files: { jpg, cls: Buffer.from(String(i % 1000)) } });
  }
  const shards = (await writer.close()).map((s) => s.path);
  fs.writeFileSync(manifestPath, JSON.stringify({ shards, images: count, meanJpegBytes: Math.round(bytes / count) }, null, 1));
  return shards;
}

function runPython(python: string, shards: string[], procs: number, draft: boolean): Measure {
  const before = busyCores();
  const args = [PY_SCRIPT, ...shards, '--size', String(SIZE), '--batch', String(BATCH), '--procs', String(procs), ...(draft ? ['--draft'] : [])];
  const result = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OMP_WAIT_POLICY: 'PASSIVE' } });
  if (result.status !== 0) throw new Error(`python_dataload.py failed: ${result.stderr}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { images: number; seconds: number; cpu_seconds: number };
  return { images: parsed.images, seconds: parsed.seconds, cpuSeconds: parsed.cpu_seconds, otherCores: before.otherSince(parsed.cpu_seconds) };
}

/** Runs and prints the large-image table; `quick`: 16 images in 2 shards, one round. */
export async function largeImageTable(quick: boolean): Promise<void> {
  const count = quick ? 16 : 160;
  const shards = await ensureLargeDataset(count, quick ? 2 : 4);
  const python = findBenchPython();
  const crop = { protocol: 'center', size: SIZE } as const;
  const defaultVipsThreads = sharp.concurrency(); // before anything runs `auto`, which sets it process-wide
  await runNodePipeline(shards.slice(0, 1), crop, BATCH, 4, 'fast'); // warm-up
  const plan: { name: string; group: string; run: () => Promise<Measure> }[] = [];
  if (python) {
    plan.push(
      { name: 'python PIL full decode, 1 process', group: 'py-full-1', run: async () => runPython(python, shards, 1, false) },
      { name: 'python PIL full decode, 2 processes', group: 'py-full-2', run: async () => runPython(python, shards, 2, false) },
      { name: 'python PIL draft(), 1 process', group: 'py-draft-1', run: async () => runPython(python, shards, 1, true) },
      { name: 'python PIL draft(), 2 processes', group: 'py-draft-2', run: async () => runPython(python, shards, 2, true) },
    );
  }
  // Fixed rows run with sharp's default libvips threads (one per core); `auto` sets one thread per image itself
  // (process-wide), so the default is restored before every fixed row.
  for (const mode of ['fast', 'exact'] as const) {
    for (const k of [1, 2, 4] as const) {
      const run = (): Promise<Measure> => {
        sharp.concurrency(defaultVipsThreads);
        return runNodePipeline(shards, crop, BATCH, k, mode);
      };
      plan.push({ name: `vqrae ${mode}, ${k} in flight, libvips ${defaultVipsThreads} thread${defaultVipsThreads === 1 ? '' : 's'}`, group: mode, run });
    }
    const cores = os.availableParallelism();
    if (cores !== defaultVipsThreads) {
      // oversubscribed on purpose: 4 in flight × one libvips thread per core
      const run = (): Promise<Measure> => {
        sharp.concurrency(cores);
        return runNodePipeline(shards, crop, BATCH, 4, mode).finally(() => sharp.concurrency(defaultVipsThreads));
      };
      plan.push({ name: `vqrae ${mode}, 4 in flight, libvips ${cores} threads`, group: mode, run });
    }
    const auto = chooseDecodeConcurrency({ sourcePixels: 2048 * 1536 });
    plan.push({ name: `vqrae ${mode}, auto (${auto.inFlight} in flight, libvips ${auto.vipsThreads} thread)`, group: mode, run: () => runNodePipeline(shards, crop, BATCH, 'auto', mode) });
  }
  const best = new Map<string, Measure>();
  const rate = (m: Measure): number => m.images / m.seconds;
  for (let round = 0; round < (quick ? 1 : 2); round++) {
    for (const { name, run } of plan) {
      const measure = await run();
      const previous = best.get(name);
      if (!previous || rate(measure) > rate(previous)) best.set(name, measure);
    }
  }
  const ofGroup = (group: string): Measure | undefined => {
    const rates = plan.filter((p) => p.group === group).map((p) => best.get(p.name) as Measure);
    return rates.sort((a, b) => rate(b) - rate(a))[0];
  };
  const pyFull1 = ofGroup('py-full-1');
  const pyDraft2 = ofGroup('py-draft-2');
  const times = (m: Measure, ref: Measure | undefined): string => (ref ? (rate(m) / rate(ref)).toFixed(2) : '–');
  console.log(`\n${count} JPEGs 2048×1536 q90 → decode → center ${SIZE} → float32 [${BATCH}, ${SIZE}, ${SIZE}, 3] ` +
    `(best of ${quick ? 1 : 2} runs; ${os.availableParallelism()} cores; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})` +
    (python ? `; python: ${python}` : '; python peer skipped: no Python with PIL + numpy found'));
  console.log('| pipeline | images/s | × PIL full, 1 proc | × PIL draft, 2 procs | CPU ms/image | other processes (cores busy) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const p of plan) {
    const m = best.get(p.name) as Measure;
    console.log(`| ${p.name} | ${rate(m).toFixed(1)} | ${times(m, pyFull1)} | ${times(m, pyDraft2)} | ${formatMeasure(m)} |`);
  }
  const fast = ofGroup('fast') as Measure;
  if (pyFull1 && pyDraft2) {
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    console.log(`\ntarget ≥ 4× PIL full decode, 1 process: vqrae fast ${rate(fast).toFixed(1)} vs ${(4 * rate(pyFull1)).toFixed(1)} img/s = ${(rate(fast) / rate(pyFull1)).toFixed(2)}× → ${verdict(rate(fast) >= 4 * rate(pyFull1))}`);
    console.log(`target ≥ 1.5× PIL draft, 2 processes: vqrae fast ${rate(fast).toFixed(1)} vs ${(1.5 * rate(pyDraft2)).toFixed(1)} img/s = ${(rate(fast) / rate(pyDraft2)).toFixed(2)}× → ${verdict(rate(fast) >= 1.5 * rate(pyDraft2))}`);
  }
}
