#!/usr/bin/env python3
"""PyTorch + PIL peer of `vqrae dump-tokens` with the small-cpu preset, for `npm run bench:dump`.

Same work per image: read the tar shards (tarfile), decode the JPEG (PIL), centre crop to 224 (shorter side to 224
with bicubic, central crop), normalise, MobileNetV2 up to block_13_expand_relu (torchvision features[:14] then
features[14].conv[0] = the 1x1 expand conv + BN + ReLU6 -> [B, 576, 14, 14], i.e. Keras' block_13_expand_relu),
flatten to 196 tokens, quant_in Linear 576 -> 256, nearest code by squared L2 against a projected codebook
C' = C W^T + b (1024 x 256), argmin. Weights are random (throughput only). Prints one JSON line.

Usage: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/torch_dump_tokens.py --threads 2 --batch 16 shard.tar ...
"""
import argparse
import io
import json
import tarfile
import time

import numpy as np
import torch
import torchvision
from PIL import Image


def center_crop(img: Image.Image, size: int) -> np.ndarray:
    w, h = img.size
    scale = size / min(w, h)
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = round((nw - size) / 2), round((nh - size) / 2)
    return np.asarray(img.crop((left, top, left + size, top + size)), dtype=np.uint8)


def samples(shards):
    for shard in shards:
        with tarfile.open(shard) as tar:
            for member in tar:
                if member.isfile() and member.name.lower().endswith(('.jpg', '.jpeg', '.png')):
                    yield member.name, tar.extractfile(member).read()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('shards', nargs='+')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=16)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = torchvision.models.mobilenet_v2()
    trunk = torch.nn.Sequential(*net.features[:14], net.features[14].conv[0]).eval()
    quant_in = torch.nn.Linear(576, 256)
    codebook = torch.randn(1024, 256) * 256 ** -0.5
    proj = torch.nn.Linear(256, 256)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    timings = {'decode': 0.0, 'encode': 0.0, 'quantize': 0.0}
    n = 0
    started = time.perf_counter()
    with torch.inference_mode():
        cprime = proj(codebook)  # [k, e], cached as for inference
        c2 = (cprime * cprime).sum(1)
        batch = []

        def flush():
            nonlocal n
            t0 = time.perf_counter()
            x = torch.from_numpy(np.stack(batch)).permute(0, 3, 1, 2).float() / 255.0
            x = (x - mean) / std
            feats = trunk(x)  # [B, 576, 14, 14]
            t1 = time.perf_counter()
            z = quant_in(feats.flatten(2).transpose(1, 2).reshape(-1, 576))  # [B*196, 256]
            d = (z * z).sum(1, keepdim=True) + c2[None, :] - 2 * z @ cprime.T
            idx = d.argmin(1).view(len(batch), -1)
            _ = idx.to(torch.int32).numpy().tobytes()
            t2 = time.perf_counter()
            timings['encode'] += t1 - t0
            timings['quantize'] += t2 - t1
            n += len(batch)
            batch.clear()

        for _, data in samples(args.shards):
            t0 = time.perf_counter()
            img = Image.open(io.BytesIO(data)).convert('RGB')
            batch.append(center_crop(img, 224))
            timings['decode'] += time.perf_counter() - t0
            if len(batch) == args.batch:
                flush()
        if batch:
            flush()
    wall = time.perf_counter() - started
    print(json.dumps({'images': n, 'seconds': wall, 'images_per_s': n / wall, 'split_s': timings}))


if __name__ == '__main__':
    main()
