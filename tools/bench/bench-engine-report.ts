/** Timing, the PyTorch peer runner and the markdown tables of `npm run bench:engine` (see bench-engine.ts). */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** Median call time, units (images or tokens) per call, and the 1-minute load average when it was measured. */
export interface Measured {
  readonly medianMs: number;
  readonly unitsPerCall: number;
  readonly load1: number;
}

/** A cell: a measurement, or why there is none. */
export type Cell = Measured | { readonly missing: string };

/** `warmup` untimed calls (sessions are created, shaders/JIT warm), then `iters` timed calls; median. */
export async function timeCalls(warmup: number, iters: number, unitsPerCall: number, call: () => Promise<void>): Promise<Measured> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const start = performance.now();
    await call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, unitsPerCall, load1: os.loadavg()[0]! };
}

/** Runs a cell's measurement, turning a failure into a `missing` cell with the first line of the error. */
export async function cell(what: string, measure: () => Promise<Measured>): Promise<Cell> {
  try {
    return await measure();
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 160);
    console.warn(`  ${what}: failed (${reason})`);
    return { missing: reason };
  }
}

/** The Python interpreter of the PyTorch peers (Debian python3-torch; VQRAE_PYTHON overrides). */
export const PYTHON = process.env.VQRAE_PYTHON ?? '/usr/bin/python3';

/** Runs a PyTorch peer script (2 threads, OMP_WAIT_POLICY=PASSIVE); returns its last stdout line parsed as JSON. */
export function runPython(script: string, args: readonly string[]): Record<string, unknown> {
  const run = spawnSync(PYTHON, [script, ...args], {
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) {
    const tail = (run.stderr ?? '').trim().split('\n').pop() ?? run.error?.message ?? '';
    throw new Error(`${script} exited with ${run.status ?? run.signal}: ${tail}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

/** Whether the peer interpreter has torch (else the PyTorch column says why it is empty). */
export function torchAvailable(): { ok: true; version: string } | { ok: false; reason: string } {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, PIL; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status === 0) return { ok: true, version: probe.stdout.trim() };
  const reason = (probe.stderr ?? '').trim().split('\n').pop() ?? probe.error?.message ?? 'unknown';
  return { ok: false, reason: `${PYTHON} has no torch/torchvision/PIL (${reason}); set VQRAE_PYTHON` };
}

function rate(c: Cell): number | undefined {
  return 'missing' in c ? undefined : (c.unitsPerCall * 1000) / c.medianMs;
}

function formatCell(c: Cell): string {
  if ('missing' in c) return `n/a (${c.missing})`;
  const value = rate(c)!;
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} (${c.medianMs.toFixed(0)} ms/call, load ${c.load1.toFixed(1)})`;
}

function ratio(a: Cell, b: Cell): string {
  const ra = rate(a);
  const rb = rate(b);
  return ra !== undefined && rb !== undefined ? `${(ra / rb).toFixed(2)}×` : 'n/a';
}

/** One row of the model table. */
export interface ModelRow {
  readonly label: string;
  readonly unit: 'img/s' | 'tok/s';
  readonly onnx: Cell;
  readonly tfjs: Cell;
  readonly torch: Cell;
}

/** The model-level table: rates of each engine and the ONNX Runtime engine's ratios. */
export function printModelTable(rows: readonly ModelRow[], columns: { onnx: string; tfjs: string; torch: string }): void {
  console.log('');
  console.log(`| item | unit | ${columns.onnx} | ${columns.tfjs} | ${columns.torch} | ONNX / PyTorch | ONNX / tfjs |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.label} | ${r.unit} | ${formatCell(r.onnx)} | ${formatCell(r.tfjs)} | ${formatCell(r.torch)} | ${ratio(r.onnx, r.torch)} | ${ratio(r.onnx, r.tfjs)} |`);
  }
}

/** One end-to-end run: images/s over the wall time (start-up included) and the peak RSS. */
export type DumpCell = { readonly imagesPerSecond: number; readonly peakRssMb: number; readonly seconds: number } | { readonly missing: string };

/** The end-to-end table (`dump-tokens`). */
export function printDumpTable(rows: readonly { images: number; implementation: string; result: DumpCell }[]): void {
  console.log('');
  console.log('| images | implementation | images/s (wall, incl. start-up) | peak RSS MB | wall s |');
  console.log('|---|---|---|---|---|');
  for (const { images, implementation, result } of rows) {
    if ('missing' in result) console.log(`| ${images} | ${implementation} | n/a (${result.missing}) | | |`);
    else console.log(`| ${images} | ${implementation} | ${result.imagesPerSecond.toFixed(1)} | ${result.peakRssMb.toFixed(0)} | ${result.seconds.toFixed(1)} |`);
  }
}
