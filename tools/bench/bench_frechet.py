#!/usr/bin/python3
"""Reference timing for `npm run bench:eval`: pytorch-fid's Fréchet distance (scipy.linalg.sqrtm) on 2048-d statistics.

Usage: /usr/bin/python3 tools/bench/bench_frechet.py <out_dir> [dim]
Writes <out_dir>/frechet-{a,b}.npz (np.savez mu/sigma, float64) from seeded synthetic Inception-like features
(n = 2·dim samples each) and prints one JSON line: {dim, seconds_sqrtm, fid_sqrtm, seconds_eigvals, fid_eigvals} (CPU seconds).
Thread count follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS (bench-eval.ts sets 1 for a one-core comparison).
"""
import json
import os
import sys
import time

import numpy as np
from scipy import linalg


def features(rng, n, d, shift):
    w = rng.normal(0, 1.0 / np.sqrt(d), (d, d))
    return np.maximum(rng.normal(0, 1, (n, d)) @ w + shift, 0.0)


def main():
    out, dim = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 2048
    rng = np.random.default_rng(2048)
    stats = []
    for name, shift in (('a', 0.1), ('b', 0.2)):
        x = features(rng, 2 * dim, dim, shift)
        mu, sigma = x.mean(axis=0), np.cov(x, rowvar=False)
        np.savez(os.path.join(out, f'frechet-{name}.npz'), mu=mu, sigma=sigma)
        stats.append((mu, sigma))
    (mu1, s1), (mu2, s2) = stats
    diff = mu1 - mu2
    t0 = time.process_time()
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    if not np.isfinite(covmean).all():
        off = np.eye(dim) * 1e-6
        covmean = linalg.sqrtm((s1 + off).dot(s2 + off))
    fid_sqrtm = float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real))
    t1 = time.process_time()
    tr = np.sqrt(linalg.eigvals(s1.dot(s2)).astype(complex)).real.sum()
    fid_eigvals = float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * tr)
    t2 = time.process_time()
    print(json.dumps({'dim': dim, 'seconds_sqrtm': t1 - t0, 'fid_sqrtm': fid_sqrtm,
                      'seconds_eigvals': t2 - t1, 'fid_eigvals': fid_eigvals}))


if __name__ == '__main__':
    main()
