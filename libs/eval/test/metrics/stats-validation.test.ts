import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { frechetDistance, readMomentsNpz, readStatsNpz, writeNpz, type NpyArray } from '../../src/index.js';

const d = 4;

function identity(scale = 1): Float64Array {
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) m[i * d + i] = scale;
  return m;
}

async function withStatsFile(mu: Float64Array, sigma: Float64Array, check: (file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-stats-'));
  try {
    const file = path.join(dir, 'bad.npz');
    const arrays: Record<string, NpyArray> = { mu: { dtype: 'f8', shape: [d], data: mu }, sigma: { dtype: 'f8', shape: [d, d], data: sigma } };
    await writeNpz(file, arrays);
    await check(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('invalid FID statistics are refused naming the file and the fault: NaN mu, negative-definite, asymmetric, indefinite sigma (issue 14.13)', async () => {
  const cases: { name: string; mu: Float64Array; sigma: Float64Array; message: RegExp }[] = [
    { name: 'NaN mu', mu: Float64Array.of(0, NaN, 0, 0), sigma: identity(), message: /'mu'\[1\] is NaN/ },
    { name: 'infinite sigma', mu: new Float64Array(d), sigma: (() => { const s = identity(); s[2 * d + 3] = Infinity; s[3 * d + 2] = Infinity; return s; })(), message: /'sigma'\[2, 3\] is Infinity/ },
    { name: 'negative-definite sigma', mu: new Float64Array(d), sigma: identity(-1), message: /not positive semi-definite.*'sigma'\[0, 0\] = -1/ },
    { name: 'asymmetric sigma', mu: new Float64Array(d), sigma: (() => { const s = identity(); s[1] = 0.5; return s; })(), message: /not symmetric.*'sigma'\[0, 1\] = 0\.5.*'sigma'\[1, 0\] = 0/ },
    // Positive diagonal and every 2×2 minor fine, but eigenvalue 1 − 3·0.6 < 0: only a factorisation finds it.
    { name: 'indefinite sigma', mu: new Float64Array(d), sigma: (() => { const s = identity(); for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (i !== j) s[i * d + j] = -0.6; return s; })(), message: /not positive semi-definite/ },
  ];
  for (const c of cases) {
    await withStatsFile(c.mu, c.sigma, async (file) => {
      await assert.rejects(readStatsNpz(file), (error: Error) => {
        assert.match(error.message, c.message, c.name);
        assert.ok(error.message.includes(file), `${c.name}: names the file`);
        return true;
      });
    });
  }
});

test('valid statistics still load: a rank-deficient sample covariance (n < d) is near-PSD and accepted', async () => {
  // Covariance of 2 samples in 4-d: rank 1, eigenvalues 0 up to rounding.
  const x = [Float64Array.of(1, 2, 3, 4), Float64Array.of(0.5, -1, 2, 7)];
  const mean = Float64Array.from({ length: d }, (_, i) => (x[0][i] + x[1][i]) / 2);
  const sigma = new Float64Array(d * d);
  for (const v of x) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) sigma[i * d + j] += (v[i] - mean[i]) * (v[j] - mean[j]);
  await withStatsFile(mean, sigma, async (file) => {
    const stats = await readStatsNpz(file);
    assert.equal(stats.dim, d);
    assert.ok(Math.abs(frechetDistance(stats, stats).distance) < 1e-9);
  });
});

test('frechetDistance refuses non-finite statistics instead of returning NaN (issue 14.13)', () => {
  const good = { dim: d, mean: new Float64Array(d), covariance: identity() };
  const bad = { dim: d, mean: Float64Array.of(0, 0, NaN, 0), covariance: identity() };
  assert.throws(() => frechetDistance(good, bad), /second statistics: 'mu'\[2\] is NaN/);
});

test('mergeable moments with a NaN sum or a negative count are refused naming the file (issue 14.13, same class)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-moments-'));
  try {
    const write = async (name: string, n: bigint, sum: Float64Array): Promise<string> => {
      const file = path.join(dir, name);
      await writeNpz(file, {
        n: { dtype: 'i8', shape: [], data: BigInt64Array.of(n) },
        sum: { dtype: 'f8', shape: [d], data: sum },
        sum_outer: { dtype: 'f8', shape: [d, d], data: identity() },
        feature_space: { dtype: 'unicode', shape: [], data: 'test' },
      });
      return file;
    };
    await assert.rejects(readMomentsNpz(await write('nan.npz', 3n, Float64Array.of(0, 0, NaN, 0))), /nan\.npz': 'sum'\[2\] is NaN/);
    await assert.rejects(readMomentsNpz(await write('neg.npz', -1n, new Float64Array(d))), /neg\.npz': 'n' is -1/);
    assert.equal((await readMomentsNpz(await write('ok.npz', 3n, new Float64Array(d)))).moments.count, 3);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
