/** Timing and the markdown table of `npm run bench:tokenizer` (see bench-tokenizer.ts). */
import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** One benchmarked item: its id, table label, rate unit and the PyTorch peer's shape fields. */
export interface BenchItem {
  readonly id: string;
  readonly label: string;
  readonly unit: 'tok/s' | 'img/s';
  readonly torch: Readonly<Record<string, string | number>>;
}

/** Median call time, units (tokens or images) per call, and the 1-minute load average when it was measured. */
export interface Measured {
  readonly medianMs: number;
  readonly unitsPerCall: number;
  readonly load1: number;
}

/** One warm-up call, then `iters` timed calls; median. */
export function timeCalls(iters: number, unitsPerCall: number, call: () => void): Measured {
  call();
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const start = performance.now();
    call();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, unitsPerCall, load1: os.loadavg()[0]! };
}

function rate(m: Measured | undefined): number | undefined {
  return m === undefined ? undefined : (m.unitsPerCall * 1000) / m.medianMs;
}

function formatRate(value: number | undefined, m: Measured | undefined): string {
  if (value === undefined || m === undefined) return 'n/a';
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} (${m.medianMs.toFixed(0)} ms, load ${m.load1.toFixed(1)})`;
}

/** Prints item | vqrae-ts (wasm) | PyTorch | ratio (wasm / PyTorch) as a markdown table. */
export function printTable(items: readonly BenchItem[], ts: Map<string, Measured>, torch: Map<string, Measured>): void {
  console.log('');
  console.log('| item | unit | vqrae-ts wasm, 1 thread (median call, load) | PyTorch CPU, 2 threads (median call, load) | wasm / PyTorch |');
  console.log('|---|---|---|---|---|');
  for (const item of items) {
    const a = ts.get(item.id);
    const b = torch.get(item.id);
    const ra = rate(a);
    const rb = rate(b);
    const ratio = ra !== undefined && rb !== undefined ? `${(ra / rb).toFixed(2)}×` : 'n/a';
    console.log(`| ${item.label} | ${item.unit} | ${formatRate(ra, a)} | ${formatRate(rb, b)} | ${ratio} |`);
  }
}
