#!/usr/bin/python3
"""Reference timings for `npm run bench:eval`: skimage SSIM/PSNR and a PyTorch SSIM on the same 256x256 images.

Usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/bench_ssim.py <pairs.json> <min_seconds>
pairs.json: {"dir": ..., "pairs": [[reference.png, candidate.png], ...]}. Prints one JSON line of images per CPU second.
Everything runs on one core (torch.set_num_threads(1)); the PyTorch SSIM is the torchmetrics formula written in plain
torch (model-spec §8.3; torchmetrics itself is not installed), float32, one image pair per call like per-image eval.
"""
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

torch.set_num_threads(1)


def torch_ssim(x, y, kernel):
    c = x.shape[1]
    x = F.pad(x, (5, 5, 5, 5), mode='reflect')
    y = F.pad(y, (5, 5, 5, 5), mode='reflect')
    out = F.conv2d(torch.cat([x, y, x * x, y * y, x * y]), kernel, groups=c)
    mx, my, exx, eyy, exy = out
    vx, vy, cov = (exx - mx * mx).clamp(min=0), (eyy - my * my).clamp(min=0), exy - mx * my
    c1, c2 = 1e-4, 9e-4
    return float((((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))).mean())


def rate(fn, items, min_seconds):
    """Items per CPU second (time.process_time: robust to other processes sharing the machine)."""
    for item in items[:2]:
        fn(*item)  # warm-up
    n, t0 = 0, time.process_time()
    while True:
        for item in items:
            fn(*item)
        n += len(items)
        elapsed = time.process_time() - t0
        if elapsed >= min_seconds:
            return n / elapsed


def main():
    spec = json.load(open(sys.argv[1]))
    min_seconds = float(sys.argv[2])
    load = lambda f: np.asarray(Image.open(os.path.join(spec['dir'], f)).convert('RGB'))
    u8 = [(load(a), load(b)) for a, b in spec['pairs']]
    f64 = [(a / 255.0, b / 255.0) for a, b in u8]
    t = torch.arange(-5, 6, dtype=torch.float32)
    g = torch.exp(-(t / 1.5) ** 2 / 2)
    g = g / g.sum()
    kernel = torch.outer(g, g).expand(3, 1, 11, 11).contiguous()
    tt = [(torch.from_numpy(a.copy()).permute(2, 0, 1)[None].float() / 255, torch.from_numpy(b.copy()).permute(2, 0, 1)[None].float() / 255)
          for a, b in u8]
    result = {
        'psnr_skimage': rate(lambda a, b: peak_signal_noise_ratio(a, b, data_range=255), u8, min_seconds),
        'ssim_skimage': rate(lambda a, b: structural_similarity(a, b, channel_axis=-1, data_range=1.0), f64, min_seconds),
        'ssim_skimage_gaussian': rate(lambda a, b: structural_similarity(
            a, b, channel_axis=-1, data_range=1.0, gaussian_weights=True, use_sample_covariance=False), f64, min_seconds),
        'ssim_torch': rate(lambda a, b: torch_ssim(a, b, kernel), tt, min_seconds),
    }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
