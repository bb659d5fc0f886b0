/**
 * End-to-end rows of `npm run bench:engine`: `vqrae dump-tokens` (small-cpu checkpoint, synthetic ~500×375 JPEG
 * shards as in bench:dump) with `--engine onnx --threads 2` and `--engine tfjs --backend wasm`, against the PyTorch +
 * PIL peer (tools/bench/torch_dump_tokens.py, 2 threads); images/s over the wall time and peak RSS (/usr/bin/time).
 * The three runs of one size are sequential, never concurrent.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';
import { PYTHON, type DumpCell } from './bench-engine-report.js';
import { syntheticShards } from './synthetic-photos.js';

const BIN = path.join(WORKSPACE_ROOT, 'apps/pipeline/bin/vqrae.mjs');
const TORCH_DUMP = path.join(WORKSPACE_ROOT, 'tools/bench/torch_dump_tokens.py');
const PER_SHARD = 100;
const BATCH = '16';

interface Timed {
  readonly stdout: string;
  readonly seconds: number;
  readonly peakRssMb: number;
}

function timed(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Timed {
  const started = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', cmd, ...args], {
    cwd: WORKSPACE_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.slice(0, 2).join(' ')} failed (${r.status}): ${r.stderr.trim().split('\n').filter((l) => !l.startsWith('PEAK_RSS_KB=')).pop() ?? ''}`);
  const rss = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { stdout: r.stdout, seconds, peakRssMb: rss / 1024 };
}

function attempt(what: string, run: () => DumpCell): DumpCell {
  try {
    return run();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);
    console.warn(`  ${what}: failed (${reason})`);
    return { missing: reason };
  }
}

/** The small-cpu checkpoint every size reuses (seeded, created once under `outDir`). */
function checkpoint(outDir: string): string {
  const file = path.join(outDir, 'small-cpu.safetensors');
  if (!fs.existsSync(file)) timed(process.execPath, [BIN, 'init', '--preset', 'small-cpu', '--seed', '0', '--out', file]);
  return file;
}

/** One size: the ONNX Runtime engine, the tfjs engine and the PyTorch peer, in that order. */
export async function dumpRows(
  count: number,
  outDir: string,
  torch: { ok: boolean; reason?: string },
): Promise<{ images: number; implementation: string; result: DumpCell }[]> {
  fs.mkdirSync(outDir, { recursive: true });
  const ck = checkpoint(outDir);
  const shards = await syntheticShards(count, Math.min(PER_SHARD, count));
  const spec = path.join(path.dirname(shards[0]!), `photos-{000000..${String(shards.length - 1).padStart(6, '0')}}.tar`);
  const vqrae = (engineArgs: readonly string[], tag: string): DumpCell => {
    const out = path.join(outDir, `tokens-${count}-${tag}`);
    fs.rmSync(out, { recursive: true, force: true });
    const run = timed(process.execPath, [BIN, 'dump-tokens', '--checkpoint', ck, '--data', spec, '--out', out, '--batch', BATCH, '--quiet', ...engineArgs]);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { written: number };
    if (summary.written !== count) throw new Error(`dump-tokens wrote ${summary.written} of ${count} images`);
    return { imagesPerSecond: summary.written / run.seconds, peakRssMb: run.peakRssMb, seconds: run.seconds };
  };
  const rows = [
    { images: count, implementation: 'vqrae dump-tokens --engine onnx (cpu, 2 threads)', result: attempt(`dump ${count} onnx`, () => vqrae(['--engine', 'onnx', '--ep', 'cpu', '--threads', '2'], 'onnx')) },
    { images: count, implementation: 'vqrae dump-tokens --engine tfjs (wasm, 1 thread)', result: attempt(`dump ${count} tfjs`, () => vqrae(['--engine', 'tfjs', '--backend', 'wasm'], 'tfjs')) },
  ];
  const torchResult: DumpCell = torch.ok
    ? attempt(`dump ${count} torch`, () => {
        const run = timed(PYTHON, [TORCH_DUMP, '--threads', '2', '--batch', BATCH, ...shards], { OMP_WAIT_POLICY: 'PASSIVE' });
        const peer = JSON.parse(run.stdout.trim().split('\n').pop()!) as { images: number };
        if (peer.images !== count) throw new Error(`the PyTorch peer read ${peer.images} of ${count} images`);
        return { imagesPerSecond: peer.images / run.seconds, peakRssMb: run.peakRssMb, seconds: run.seconds };
      })
    : { missing: torch.reason ?? 'no torch' };
  rows.push({ images: count, implementation: 'PyTorch + PIL (2 threads)', result: torchResult });
  for (const r of rows) {
    if (!('missing' in r.result)) console.log(`  dump ${count} ${r.implementation}: ${r.result.imagesPerSecond.toFixed(1)} img/s, ${r.result.peakRssMb.toFixed(0)} MB`);
  }
  return rows;
}
