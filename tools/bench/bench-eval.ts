// `npm run bench:eval`: host-side metric throughput against the Python reference tools, in one run.
//  - PSNR and SSIM (each named variant) images/s on 256×256 RGB photo pairs (the committed metric fixtures),
//    vs skimage (structural_similarity, peak_signal_noise_ratio) and a plain-PyTorch SSIM, all on one core.
//  - Fréchet distance on 2048-d statistics vs pytorch-fid's scipy.linalg.sqrtm route (one BLAS thread), same files.
// Python side: tools/bench/bench_ssim.py, tools/bench/bench_frechet.py (Debian /usr/bin/python3). Run once; do not loop.
// Rates use CPU time of the measuring process on both sides (process.cpuUsage / time.process_time), so a shared,
// loaded machine distorts the comparison less than wall time would; wall time is printed for the Fréchet case too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import {
  frechetDistance,
  psnr,
  readStatsNpz,
  SSIM_VARIANT_NAMES,
  SSIM_VARIANTS,
  SsimScorer,
  uint8Image,
  type Uint8Image,
} from '@vqrae/eval';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = path.join(WORKSPACE_ROOT, 'libs/eval/test/fixtures/metrics');
const MIN_SECONDS = Number(process.env.BENCH_MIN_SECONDS ?? 2);
const FRECHET_DIM = Number(process.env.BENCH_FRECHET_DIM ?? 2048);
const ONE_THREAD = { OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };

interface Row { readonly what: string; readonly ours: string; readonly reference: string; readonly ratio: string }

async function loadPng(file: string): Promise<Uint8Image> {
  const { data, info } = await sharp(path.join(FIXTURES, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return uint8Image(new Uint8Array(data.buffer, data.byteOffset, data.length), info.height, info.width, info.channels);
}

/** CPU seconds (user + system) used by this process so far. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function rate(run: () => void, items: number): number {
  run(); // warm-up (JIT)
  let n = 0;
  const t0 = cpuSeconds();
  while (cpuSeconds() - t0 < MIN_SECONDS) {
    run();
    n += items;
  }
  return n / (cpuSeconds() - t0);
}

function python(script: string, args: string[]): Record<string, number> | undefined {
  const result = spawnSync(PYTHON, [path.join(WORKSPACE_ROOT, 'tools/bench', script), ...args], {
    env: { ...process.env, ...ONE_THREAD },
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (result.status !== 0) {
    console.warn(`bench-eval: ${script} failed (${result.error?.message ?? result.stderr.trim().split('\n').pop()}); reference column left empty`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}') as Record<string, number>;
}

const fmt = (v: number | undefined, digits = 1): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));
const ratio = (ours: number, ref: number | undefined, higherIsBetter: boolean): string =>
  ref === undefined ? '—' : `${(higherIsBetter ? ours / ref : ref / ours).toFixed(2)}×`;

async function imageMetrics(rows: Row[]): Promise<void> {
  const names = fs.readdirSync(FIXTURES).filter((f) => /^(astronaut|coffee|chelsea)-(blur|noise|jpeg|shift)\.png$/.test(f)).sort(); // 256×256 RGB only
  const pairs = names.map((f) => ({ reference: `${f.split('-')[0]}.png`, candidate: f }));
  const images = await Promise.all(pairs.map(async (p) => ({ a: await loadPng(p.reference), b: await loadPng(p.candidate) })));
  const { height, width } = images[0].a;
  console.log(`image metrics: ${images.length} pairs of ${height}×${width}×3 photos (committed fixtures), ≥ ${MIN_SECONDS} CPU s per entry, 1 core`);
  const spec = path.join(os.tmpdir(), `vqrae-bench-ssim-${process.pid}.json`);
  fs.writeFileSync(spec, JSON.stringify({ dir: FIXTURES, pairs: pairs.map((p) => [p.reference, p.candidate]) }));
  const py = python('bench_ssim.py', [spec, String(MIN_SECONDS)]);
  fs.rmSync(spec, { force: true });

  const psnrRate = rate(() => images.forEach(({ a, b }) => psnr(a, b)), images.length);
  rows.push({ what: 'PSNR img/s (vs skimage peak_signal_noise_ratio)', ours: fmt(psnrRate), reference: fmt(py?.psnr_skimage), ratio: ratio(psnrRate, py?.psnr_skimage, true) });
  const reference: Record<string, number | undefined> = {
    torchmetrics: py?.ssim_torch,
    'skimage': py?.ssim_skimage,
    'skimage-gaussian': py?.ssim_skimage_gaussian,
  };
  const refName: Record<string, string> = { torchmetrics: 'plain-torch SSIM f32', skimage: 'skimage default', 'skimage-gaussian': 'skimage gaussian' };
  for (const name of SSIM_VARIANT_NAMES) {
    const scorer = new SsimScorer({ [name]: SSIM_VARIANTS[name] });
    const r = rate(() => images.forEach(({ a, b }) => scorer.score(a, b)), images.length);
    const ref = reference[name];
    rows.push({ what: `SSIM ${name} img/s${refName[name] ? ` (vs ${refName[name]})` : ''}`, ours: fmt(r), reference: fmt(ref), ratio: ratio(r, ref, true) });
  }
  const all = new SsimScorer(SSIM_VARIANTS);
  const allRate = rate(() => images.forEach(({ a, b }) => all.score(a, b)), images.length);
  rows.push({ what: `SSIM all ${SSIM_VARIANT_NAMES.length} variants per pair img/s`, ours: fmt(allRate), reference: '—', ratio: '—' });
}

async function frechet(rows: Row[]): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-bench-frechet-'));
  try {
    console.log(`Fréchet distance: ${FRECHET_DIM}-d statistics from bench_frechet.py (scipy sqrtm, 1 BLAS thread) …`);
    const py = python('bench_frechet.py', [dir, String(FRECHET_DIM)]);
    if (!py) return;
    const a = await readStatsNpz(path.join(dir, 'frechet-a.npz'));
    const b = await readStatsNpz(path.join(dir, 'frechet-b.npz'));
    const wall0 = performance.now();
    const t0 = cpuSeconds();
    const result = frechetDistance(a, b);
    const seconds = cpuSeconds() - t0;
    console.log(`  vqrae-ts: ${seconds.toFixed(1)} CPU s, ${((performance.now() - wall0) / 1000).toFixed(1)} s wall (method ${result.method})`);
    const rel = Math.abs(result.distance - py.fid_sqrtm) / Math.abs(py.fid_sqrtm);
    rows.push({ what: `Frechet ${FRECHET_DIM}-d seconds (vs scipy sqrtm)`, ours: fmt(seconds, 2), reference: fmt(py.seconds_sqrtm, 2), ratio: ratio(seconds, py.seconds_sqrtm, false) });
    rows.push({ what: `Frechet ${FRECHET_DIM}-d seconds (vs eigvals, torch-fidelity)`, ours: fmt(seconds, 2), reference: fmt(py.seconds_eigvals, 2), ratio: ratio(seconds, py.seconds_eigvals, false) });
    console.log(
      `  distance ours ${result.distance.toPrecision(12)}  scipy sqrtm ${py.fid_sqrtm.toPrecision(12)}  rel diff ${rel.toExponential(2)};` +
        ` eigvals ${py.fid_eigvals.toPrecision(12)}; min eigenvalue of Σ₁^½Σ₂Σ₁^½ ${result.minProductEigenvalue.toExponential(2)}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  await imageMetrics(rows);
  await frechet(rows);
  const widths = [Math.max(...rows.map((r) => r.what.length), 6), 10, 10, 8];
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log('');
  console.log(line(['metric', 'vqrae-ts', 'reference', 'ratio']));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line([r.what, r.ours, r.reference, r.ratio]));
  console.log(`ratio > 1 = vqrae-ts faster. CPU-time rates, one core each side. Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}.`);
}

await main();
