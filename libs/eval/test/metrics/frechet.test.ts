import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  FeatureMoments,
  frechetDistance,
  readMomentsNpz,
  readNpzArrays,
  readStatsNpz,
  symmetricEigen,
  traceSqrtOfProduct,
  writeMomentsNpz,
  writeStatsNpz,
  type GaussianStats,
} from '../../src/index.js';
import { METRIC_FIXTURES } from './load-fixture-image.js';

interface FrechetCase { name: string; a: string; b: string; sqrtm: number; eigvals: number; eigh: number }
const fixture = JSON.parse(fs.readFileSync(path.join(METRIC_FIXTURES, 'frechet.json'), 'utf8')) as { cases: FrechetCase[] };
const fixturePath = (f: string): string => path.join(METRIC_FIXTURES, f);

/** Deterministic xorshift-based standard normals for test data. */
function normals(seed: number, count: number): Float64Array {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return Float64Array.from({ length: count }, () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
}

function randomSpd(seed: number, d: number, rank = d + 3): Float64Array {
  const g = normals(seed, d * rank); // [d, rank]
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    let acc = 0;
    for (let k = 0; k < rank; k++) acc += g[i * rank + k] * g[j * rank + k];
    m[i * d + j] = acc / rank;
  }
  return m;
}

function diagonal(values: number[]): Float64Array {
  const d = values.length;
  const m = new Float64Array(d * d);
  values.forEach((v, i) => (m[i * d + i] = v));
  return m;
}

/** Denman–Beavers iteration: a naive dense square root of a (non-symmetric) matrix with positive eigenvalues. */
function denmanBeaversTraceSqrt(a: Float64Array, d: number): number {
  const inv = (m: Float64Array): Float64Array => {
    const w = Float64Array.from(m);
    const out = diagonal(Array(d).fill(1));
    for (let c = 0; c < d; c++) {
      let piv = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(w[r * d + c]) > Math.abs(w[piv * d + c])) piv = r;
      for (const x of [w, out]) for (let k = 0; k < d; k++) [x[c * d + k], x[piv * d + k]] = [x[piv * d + k], x[c * d + k]];
      const p = w[c * d + c];
      for (let k = 0; k < d; k++) { w[c * d + k] /= p; out[c * d + k] /= p; }
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = w[r * d + c];
        for (let k = 0; k < d; k++) { w[r * d + k] -= f * w[c * d + k]; out[r * d + k] -= f * out[c * d + k]; }
      }
    }
    return out;
  };
  let y = Float64Array.from(a);
  let z = diagonal(Array(d).fill(1));
  for (let it = 0; it < 50; it++) {
    const yi = inv(y);
    const zi = inv(z);
    y = y.map((v, i) => (v + zi[i]) / 2);
    z = z.map((v, i) => (v + yi[i]) / 2);
  }
  let t = 0;
  for (let i = 0; i < d; i++) t += y[i * d + i];
  return t;
}

function matMul(a: Float64Array, b: Float64Array, d: number): Float64Array {
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) c[i * d + j] += a[i * d + k] * b[k * d + j];
  return c;
}

const rel = (x: number, y: number): number => Math.abs(x - y) / Math.max(Math.abs(y), 1e-300);

describe('symmetric eigen-decomposition (Householder + implicit QL)', () => {
  it('reconstructs A = Vᵀ Λ V with orthonormal eigenvectors for random symmetric matrices', () => {
    for (const d of [1, 2, 3, 17, 60]) {
      const a = randomSpd(d + 7, d).map((v, i) => v - (i % (d + 1) === 0 ? 0.7 : 0)); // indefinite
      const { values, vectorRows: v } = symmetricEigen(a, d);
      for (let i = 1; i < d; i++) assert.ok(values[i] >= values[i - 1]);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        let rec = 0;
        let dot = 0;
        for (let k = 0; k < d; k++) { rec += v[k * d + i] * values[k] * v[k * d + j]; dot += v[i * d + k] * v[j * d + k]; }
        assert.ok(Math.abs(rec - a[i * d + j]) < 1e-12, `d=${d} reconstruction (${i},${j})`);
        assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12, `d=${d} orthonormality (${i},${j})`);
      }
    }
  });

  it('tr((Σ₁Σ₂)^½) equals a naive Denman–Beavers square root on small SPD pairs', () => {
    for (const d of [2, 5, 12]) {
      const a = randomSpd(3 * d, d);
      const b = randomSpd(5 * d + 1, d);
      const expected = denmanBeaversTraceSqrt(matMul(a, b, d), d);
      assert.ok(rel(traceSqrtOfProduct(a, b, d).trace, expected) < 1e-10, `d=${d}`);
    }
  });
});

describe('Fréchet distance: rank-deficient covariances (n ≤ dim)', () => {
  it('converges and equals the trace through the small rank-r problem (regression: near-zero eigenvalue clusters)', () => {
    const d = 192;
    const rank = 9; // like the covariance of 10 feature vectors
    // Dead ReLU channels (exactly zero rows/columns) as in pooled CNN features: every third channel of A, every
    // fourth of B.
    const g = normals(42 * d, d * rank).map((v, i) => (Math.floor(i / rank) % 3 === 0 ? 0 : v)); // [d, rank]
    const h = normals(7, d * rank).map((v, i) => (Math.floor(i / rank) % 4 === 0 ? 0 : v)); // [d, rank]
    const gram = (m: Float64Array): Float64Array => {
      const out = new Float64Array(d * d);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        let acc = 0;
        for (let k = 0; k < rank; k++) acc += m[i * rank + k] * m[j * rank + k];
        out[i * d + j] = acc / rank;
      }
      return out;
    };
    const a = gram(g); // = G·Gᵀ / rank
    const b = gram(h);
    // Non-zero eigenvalues of A·B equal those of Gᵀ·B·G / rank (r × r, positive definite).
    const small = new Float64Array(rank * rank);
    for (let i = 0; i < rank; i++) for (let j = 0; j < rank; j++) {
      let acc = 0;
      for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) acc += g[p * rank + i] * b[p * d + q] * g[q * rank + j];
      small[i * rank + j] = acc / rank;
    }
    const expected = denmanBeaversTraceSqrt(small, rank);
    for (const method of ['auto', 'eigen'] as const) {
      const mean = new Float64Array(d);
      const r = frechetDistance({ dim: d, mean, covariance: a }, { dim: d, mean, covariance: b }, { method });
      let traces = 0;
      for (let i = 0; i < d; i++) traces += a[i * d + i] + b[i * d + i];
      assert.ok(rel(traces - r.distance, 2 * expected) < 1e-6, `${method}: ${traces - r.distance} vs ${2 * expected}`);
    }
  });
});

describe('Fréchet distance: closed forms', () => {
  const d = 8;
  const mean = Float64Array.from({ length: d }, (_, i) => i * 0.1);
  it('identical statistics give 0', () => {
    const s: GaussianStats = { dim: d, mean, covariance: randomSpd(11, d) };
    const { distance } = frechetDistance(s, s);
    assert.ok(Math.abs(distance) < 1e-12, String(distance));
  });
  it('Σ₁ = Σ₂ = I with a mean shift gives ‖Δμ‖²', () => {
    const shifted = mean.map((v, i) => v + (i % 3) - 0.5);
    const eye = diagonal(Array(d).fill(1));
    const r = frechetDistance({ dim: d, mean, covariance: eye }, { dim: d, mean: shifted, covariance: eye });
    const expected = shifted.reduce((acc, v, i) => acc + (v - mean[i]) ** 2, 0);
    assert.ok(rel(r.distance, expected) < 1e-12);
  });
  it('diagonal covariances give Σ(√a − √b)²', () => {
    const av = [0.5, 1, 2, 3, 0.1, 4, 9, 0];
    const bv = [1, 1, 0.5, 2, 0.4, 1, 16, 0.25];
    const r = frechetDistance({ dim: d, mean, covariance: diagonal(av) }, { dim: d, mean, covariance: diagonal(bv) });
    const expected = av.reduce((acc, a, i) => acc + (Math.sqrt(a) - Math.sqrt(bv[i])) ** 2, 0);
    assert.ok(rel(r.distance, expected) < 1e-12, `${r.distance} vs ${expected}`);
  });
});

describe('Fréchet distance: parity with scipy.linalg.sqrtm (tools/fixtures/eval/make_frechet_fixtures.py)', () => {
  for (const c of fixture.cases) {
    for (const method of ['auto', 'eigen'] as const) {
      it(`${c.name} (${method}): ${c.a} vs ${c.b} within 1e-6 relative`, async () => {
        const a = await readStatsNpz(fixturePath(c.a));
        const b = await readStatsNpz(fixturePath(c.b));
        assert.equal(a.featureSpace, undefined); // published-format files carry no label
      const r = frechetDistance(a, b, { method });
        const lowRank = c.name.includes('lowrank');
        assert.equal(r.method, method === 'eigen' || lowRank ? 'eigen' : 'cholesky');
        assert.ok(rel(r.distance, c.sqrtm) < 1e-6, `${r.distance} vs sqrtm ${c.sqrtm} (rel ${rel(r.distance, c.sqrtm)})`);
        // Rank-deficient covariances: √ of ~1e-16 eigenvalues adds ~1e-8 noise per dimension in any method.
        assert.ok(rel(r.distance, c.eigh) < (lowRank ? 1e-7 : 1e-9), `${r.distance} vs numpy eigh ${c.eigh}`);
      });
    }
  }

  it('cholesky is refused for a singular Σ₁ when asked for explicitly', () => {
    const singular: GaussianStats = { dim: 2, mean: new Float64Array(2), covariance: Float64Array.of(1, 1, 1, 1) };
    assert.throws(() => frechetDistance(singular, singular, { method: 'cholesky' }), /not positive definite/);
    assert.ok(Math.abs(frechetDistance(singular, singular).distance) < 1e-7);
  });
});

describe('feature moments', () => {
  it('streaming, merged moments reproduce numpy mean/cov (n−1) of the 64-d fixture features', async () => {
    const arrays = await readNpzArrays(fixturePath('frechet-features-64.npz'), ['a']);
    const a = arrays.get('a');
    assert.ok(a && a.dtype === 'f8');
    const rows = a.shape[0];
    const dim = a.shape[1];
    const first = new FeatureMoments(dim);
    const second = new FeatureMoments(dim);
    first.add(a.data.subarray(0, 123 * dim), 123); // uneven split: two "ranks"
    second.add(a.data.subarray(123 * dim, 300 * dim), 177);
    second.add(a.data.subarray(300 * dim), rows - 300);
    first.merge(second);
    const stats = first.toGaussian();
    const ref = await readStatsNpz(fixturePath('frechet-64-a.npz'));
    assert.equal(stats.count, 500);
    for (let i = 0; i < dim; i++) assert.ok(Math.abs(stats.mean[i] - ref.mean[i]) < 1e-13);
    for (let i = 0; i < dim * dim; i++) assert.ok(Math.abs(stats.covariance[i] - ref.covariance[i]) < 1e-12);
  });

  it('round-trips statistics and moments through .npz files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-eval-'));
    try {
      const moments = new FeatureMoments(5);
      moments.add(Float32Array.from(normals(3, 40)), 8);
      await writeMomentsNpz(path.join(dir, 'm.npz'), moments, { kind: 'named', name: 'test-space' });
      const back = await readMomentsNpz(path.join(dir, 'm.npz'));
      assert.deepEqual(back.featureSpace, { kind: 'named', name: 'test-space' });
      assert.deepEqual(back.moments.sumOuter, moments.sumOuter);
      const stats = moments.toGaussian();
      const space = { kind: 'fid-inception', variant: 'pytorch-fid', weightsSha256: 'ab12' } as const;
      await writeStatsNpz(path.join(dir, 's.npz'), stats, space);
      const read = await readStatsNpz(path.join(dir, 's.npz'));
      assert.deepEqual(read.featureSpace, space);
      assert.equal(read.count, 8);
      assert.deepEqual(read.covariance, stats.covariance);
      assert.deepEqual(read.mean, stats.mean);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects non-finite features and mismatched sizes with the function named', () => {
    const m = new FeatureMoments(2);
    assert.throws(() => m.add(Float64Array.of(1, Number.NaN), 1), /FeatureMoments\.add: non-finite feature at row 0, column 1/);
    assert.throws(() => m.add(Float64Array.of(1, 2, 3), 1), /FeatureMoments\.add: expected 1×2/);
    assert.throws(() => m.toGaussian(), /need at least 2 feature vectors/);
  });
});
