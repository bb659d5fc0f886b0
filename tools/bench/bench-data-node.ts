/**
 * Node side of `npm run bench:data`: the @vqrae/data pipeline (DatasetSpec → decodeImages → batchImages) and each of
 * its steps alone, with CPU time per image and how busy the machine was with other processes meanwhile.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { newCounters, silentLogger, type StageContext } from '@vqrae/graph';
import { batchImages, collectingReporter, DatasetSpec, decodeImages, loadImage, writePixels, type CropSpec, type DecodeMode, type RgbImage } from '@vqrae/data';

export interface Measure {
  readonly images: number;
  readonly seconds: number;
  /** CPU seconds of the measured work (Node: all threads of this process; Python: summed over its processes). */
  readonly cpuSeconds: number;
  /** Cores kept busy by other processes meanwhile (machine busy time from /proc/stat minus this work's CPU). */
  readonly otherCores: number;
}

/** `CPU ms/image | other cores` table cells. */
export function formatMeasure(m: Measure): string {
  return `${((1000 * m.cpuSeconds) / m.images).toFixed(2)} | ${Number.isNaN(m.otherCores) ? '?' : m.otherCores.toFixed(2)}`;
}

const CLOCK_TICKS = 100; // USER_HZ on Linux

function machineBusySeconds(): number {
  try {
    const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** Starts a window; `otherSince(ownCpu)` = average cores busy with anything but `ownCpu` seconds of our work. */
export function busyCores(): { otherSince: (ownCpuSeconds: number) => number } {
  const busy = machineBusySeconds();
  const started = performance.now();
  return {
    otherSince: (own) => Math.max(0, (machineBusySeconds() - busy - own) / ((performance.now() - started) / 1000)),
  };
}

async function timed(fn: () => Promise<number>): Promise<Measure> {
  const window = busyCores();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const images = await fn();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return { images, seconds, cpuSeconds, otherCores: window.otherSince(cpuSeconds) };
}

function context(): StageContext {
  return { signal: new AbortController().signal, log: silentLogger, counters: newCounters(), skip: () => undefined };
}

/** shards → decode(crop, `concurrency` in flight, decode mode) → float32 batches (pixel01) → dispose; throws on any leak. */
export async function runNodePipeline(shards: string[], crop: CropSpec, batchSize: number, concurrency: number | 'auto', decodeMode: DecodeMode = 'exact'): Promise<Measure> {
  const tensorsBefore = tf.memory().numTensors;
  const measure = await timed(async () => {
    const ctx = context();
    const samples = new DatasetSpec({ shards }).open({ reporter: collectingReporter() });
    const decoded = decodeImages({ crop, concurrency, decodeMode }).run(samples, ctx);
    let images = 0;
    for await (const batch of batchImages({ batchSize, range: 'pixel01' }).run(decoded, ctx)) {
      images += batch.images.shape[0];
      batch.images.dispose();
    }
    return images;
  });
  if (tf.memory().numTensors !== tensorsBefore) throw new Error('bench:data: the pipeline leaked tensors');
  return measure;
}

/** Each step alone, one image at a time, best of two passes: tar read; decode; decode + crop; + float32; + batch tensors. */
export async function nodeComponents(shards: string[], crop: CropSpec, batchSize: number): Promise<(Measure & { name: string })[]> {
  const jpgs: Uint8Array[] = [];
  for await (const sample of new DatasetSpec({ shards }).open({ reporter: collectingReporter() })) jpgs.push(sample.files.get('jpg') as Uint8Array);
  const decodeAll = async (options: { crop?: CropSpec }, each: (image: RgbImage) => void): Promise<number> => {
    for (const jpg of jpgs) each(await loadImage(jpg, options));
    return jpgs.length;
  };
  const staging = new Float32Array(batchSize * crop.size * crop.size * 3);
  const parts: (Measure & { name: string })[] = [];
  const add = async (name: string, fn: () => Promise<number>): Promise<void> => {
    const first = await timed(fn); // best (least CPU) of two passes, as on the Python side
    const second = await timed(fn);
    parts.push({ name, ...(second.cpuSeconds < first.cpuSeconds ? second : first) });
  };
  await add('tar read only', async () => {
    let n = 0;
    for await (const sample of new DatasetSpec({ shards }).open({ reporter: collectingReporter() })) n += sample.files.size > 0 ? 1 : 0;
    return n;
  });
  await add('decode only (from memory)', () => decodeAll({}, () => undefined));
  await add('decode + center crop', () => decodeAll({ crop }, () => undefined));
  let slot = 0;
  await add('+ float32 conversion', () => decodeAll({ crop }, (image) => writePixels(staging, (slot++ % batchSize) * image.data.length, image.data, 'pixel01')));
  await add('+ batch tensors [B,S,S,3] (full pipeline, 1 in flight)', async () => (await runNodePipeline(shards, crop, batchSize, 1)).images);
  return parts;
}
