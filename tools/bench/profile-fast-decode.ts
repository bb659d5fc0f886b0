/**
 * Where the CPU of `--decode-mode fast` goes on large JPEGs (issue 16.4: ≥ 1.5× PIL draft with 2 processes), per
 * image, in CPU ms (`process.cpuUsage`: all threads of this process; wall time lies on a shared machine), best of
 * `--passes` passes, one image in flight unless stated. Small on purpose: `--images` (default 16) generated 2048×1536
 * JPEG q90 photographs (tools/testing/large-photos.ts) → centre `--size` (default 256), against the Python peer's
 * PIL draft() and full decode per image (tools/bench/python_dataload.py, 1 process, CPU seconds / images).
 *
 *   node --import tsx tools/bench/profile-fast-decode.ts [--images 16] [--size 256] [--passes 3]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { DatasetSpec, collectingReporter, loadImage, ShardWriter, planCrop, tuneSharpForStreaming } from '@vqrae/data';
import { largePhotoJpeg } from '../testing/large-photos.js';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { findBenchPython } from './bench-python.js';
import { runNodePipeline } from './bench-data-node.js';

async function cpuMsPerImage(images: number, passes: number, fn: () => Promise<void>): Promise<number> {
  let best = Infinity;
  for (let pass = 0; pass < passes; pass++) {
    const start = process.cpuUsage();
    await fn();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000 / images);
  }
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '16' }, size: { type: 'string', default: '256' }, passes: { type: 'string', default: '3' } } });
  const count = Number(values.images);
  const size = Number(values.size);
  const passes = Number(values.passes);
  await tf.setBackend('wasm');
  await tuneSharpForStreaming();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-profile-fast-'));
  try {
    const jpgs: Buffer[] = [];
    for (let i = 0; i < count; i++) jpgs.push(await largePhotoJpeg(i));
    const writer = new ShardWriter({ pattern: path.join(dir, 'large-%06d.tar'), maxSamples: count });
    for (const [i, jpg] of jpgs.entries()) await writer.write({ key: `large/img${String(i).padStart(6, '0')}`, files: { jpg, cls: Buffer.from('0') } });
    const shards = (await writer.close()).map((s) => s.path);
    const crop = { protocol: 'center', size } as const;
    const plan = planCrop(crop, 2048, 1536, '');
    const rows: [string, number][] = [];
    const add = async (name: string, fn: () => Promise<void>): Promise<void> => {
      rows.push([name, await cpuMsPerImage(count, passes, fn)]);
    };
    const each = (f: (jpg: Buffer) => Promise<unknown>) => async (): Promise<void> => {
      for (const jpg of jpgs) await f(jpg);
    };
    await add('tar read (DatasetSpec, no decode)', async () => {
      for await (const sample of new DatasetSpec({ shards }).open({ reporter: collectingReporter() })) void sample;
    });
    await add('sharp floor: resize(fastShrinkOnLoad) → raw, nothing else', each((jpg) => sharp(jpg).resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer()));
    await add('  + autoOrient + flatten + toColourspace (loadImage\'s chain)', each((jpg) => sharp(jpg).autoOrient().resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' }).flatten({ background: '#ffffff' }).toColourspace('srgb').raw().toBuffer()));
    await add('  sharp with extract (window cut by libvips)', each((jpg) => sharp(jpg).resize(plan.resize.width, plan.resize.height, { fit: 'fill', kernel: 'cubic' }).extract(plan.window).raw().toBuffer()));
    await add('loadImage fast (decode + centre crop)', each((jpg) => loadImage(jpg, { crop, decodeMode: 'fast' })));
    await add('loadImage fast, fastHeadroom 2', each((jpg) => loadImage(jpg, { crop, decodeMode: 'fast', fastHeadroom: 2 })));
    await add('loadImage exact', each((jpg) => loadImage(jpg, { crop, decodeMode: 'exact' })));
    for (const inFlight of [1, 2, 4] as const) {
      rows.push([`pipeline fast: tar → decode (${inFlight} in flight) → float32 batches`, await cpuMsPerImage(count, passes, async () => void (await runNodePipeline(shards, crop, 8, inFlight, 'fast')))]);
    }
    const python = findBenchPython();
    console.log(`${count} JPEGs 2048×1536 q90 → centre ${size}; CPU ms per image, best of ${passes}; load average ${os.loadavg()[0]!.toFixed(2)}`);
    console.log('| step | CPU ms/image |');
    console.log('|---|---:|');
    for (const [name, ms] of rows) console.log(`| ${name} | ${ms.toFixed(2)} |`);
    if (python) {
      for (const draft of [true, false]) {
        const result = spawnSync(python, [path.join(WORKSPACE_ROOT, 'tools/bench/python_dataload.py'), ...shards, '--size', String(size), '--batch', '8', ...(draft ? ['--draft'] : [])], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
        if (result.status !== 0) throw new Error(`python_dataload.py failed: ${result.stderr}`);
        const parsed = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as { images: number; cpu_seconds: number };
        console.log(`| python PIL ${draft ? 'draft()' : 'full decode'}, 1 process (tar → decode → centre crop → float32 batches) | ${((1000 * parsed.cpu_seconds) / parsed.images).toFixed(2)} |`);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
