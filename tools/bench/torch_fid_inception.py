#!/usr/bin/env python3
"""PyTorch CPU peer of the FID-Inception row of `npm run bench:engine` (tools/bench/bench-engine.ts).

Times what `vqrae fid-stats` does per batch: uint8 images [B, S, S, 3] -> float -> bilinear resize to 299
(F.interpolate, align_corners=False) -> (x - 128) / 128 -> FID-Inception-v3 (tools/fixtures/eval/fid_inception_model.py,
the same network the tfjs/ONNX parity fixtures come from) -> pool3 [B, 2048 / width_divisor]. Weights are random
(throughput only). Inference mode, torch.set_num_threads(threads); run with OMP_WAIT_POLICY=PASSIVE.

  --write-weights PATH  write a seeded random state dict (torchvision key names) as safetensors and exit, so the
                        TypeScript side runs the very same weights (BN statistics drawn away from the identity);
                        prints {"written": PATH}.
Otherwise prints one JSON line: {"torch", "threads", "median_ms", "times_ms", "units_per_call", "load1"}.

Usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/torch_fid_inception.py --size 256 --batch 8 --iters 3
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures', 'eval'))
sys.path.insert(0, os.path.join(HERE, '..', 'convert'))
from fid_inception_model import FidInceptionV3  # noqa: E402


def seeded_model(width_divisor, seed):
    torch.manual_seed(seed)
    model = FidInceptionV3(width_divisor, with_fc=False).eval()
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.6, 1.4)
                module.bias.normal_(0, 0.1)
                module.running_mean.normal_(0, 0.2)
                module.running_var.uniform_(0.5, 1.5)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--width-divisor', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--write-weights')
    ap.add_argument('--size', type=int, default=256)
    ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--iters', type=int, default=3)
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model = seeded_model(args.width_divisor, args.seed)
    if args.write_weights:
        from safetensors_io import write_safetensors
        write_safetensors(args.write_weights, {k: v.numpy() for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')})
        print(json.dumps({'written': args.write_weights}))
        return
    generator = torch.Generator().manual_seed(args.seed + 1)
    images = torch.randint(0, 256, (args.batch, args.size, args.size, 3), dtype=torch.uint8, generator=generator)

    def step():
        x = images.permute(0, 3, 1, 2).float()  # [B, 3, S, S] on 0..255
        x = F.interpolate(x, size=(299, 299), mode='bilinear', align_corners=False)
        return model((x - 128) / 128)  # [B, 2048 / d]

    times = []
    with torch.inference_mode():
        for i in range(args.warmup + args.iters):
            start = time.perf_counter()
            step()
            elapsed = (time.perf_counter() - start) * 1000
            if i >= args.warmup:
                times.append(elapsed)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'median_ms': statistics.median(times),
                      'times_ms': times, 'units_per_call': args.batch, 'load1': os.getloadavg()[0]}))


if __name__ == '__main__':
    main()
