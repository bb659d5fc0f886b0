#!/usr/bin/env python3
"""Python peer of `npm run bench:data`: WebDataset tar shards -> PIL decode -> centre crop -> float32 batches.

Per sample: tarfile member bytes -> PIL.Image.open(...).convert('RGB') -> resize so the shorter side is S with
BICUBIC (torchvision Resize semantics: long side int(S*long/short)) -> central SxS crop (offsets round((L-S)/2)) ->
numpy float32 / 255, stacked into [B, S, S, 3] batches. With --procs N the shards are split over N processes (like
DataLoader workers / webdataset split_by_worker); throughput = images / (last finish - first start).
Prints one JSON line: {"procs", "images", "seconds", "images_per_s", "cpu_seconds"} (CPU time summed over processes,
a figure that a busy machine distorts less than wall time).
"""
import argparse
import io
import json
import multiprocessing as mp
import tarfile
import time

import numpy as np
from PIL import Image


def center_crop(img, size):
    w, h = img.size
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def samples(shard):
    """Groups consecutive members by key (path up to the first dot of the basename), webdataset-style."""
    with tarfile.open(shard, 'r') as tar:
        key, files = None, {}
        for member in tar:
            if not member.isfile():
                continue
            base = member.name.rsplit('/', 1)[-1]
            if '.' not in base or base.startswith('.'):
                continue
            prefix = member.name[: len(member.name) - len(base)] + base.split('.', 1)[0]
            ext = base.split('.', 1)[1].lower()
            if prefix != key and files:
                yield key, files
                files = {}
            key = prefix
            files[ext] = tar.extractfile(member).read()
        if files:
            yield key, files


def worker(args):
    shards, size, batch_size, barrier = args
    if barrier is not None:
        barrier.wait()
    start, cpu_start = time.perf_counter(), time.process_time()
    count, pending = 0, []
    for shard in shards:
        for _key, files in samples(shard):
            img = Image.open(io.BytesIO(files['jpg'])).convert('RGB')
            pending.append(np.asarray(center_crop(img, size), dtype=np.float32) / 255.0)
            count += 1
            if len(pending) == batch_size:
                batch = np.stack(pending)  # [B, S, S, 3]
                assert batch.shape == (batch_size, size, size, 3)
                pending = []
    if pending:
        np.stack(pending)
    return count, start, time.perf_counter(), time.process_time() - cpu_start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('shards', nargs='+')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--procs', type=int, default=1)
    args = parser.parse_args()
    if args.procs == 1:
        count, start, end, cpu = worker((args.shards, args.size, args.batch, None))
    else:
        ctx = mp.get_context('fork')
        barrier = ctx.Manager().Barrier(args.procs)
        parts = [(args.shards[i :: args.procs], args.size, args.batch, barrier) for i in range(args.procs)]
        with ctx.Pool(args.procs) as pool:
            results = pool.map(worker, parts)
        count = sum(r[0] for r in results)
        start, end = min(r[1] for r in results), max(r[2] for r in results)
        cpu = sum(r[3] for r in results)
    seconds = end - start
    print(json.dumps({'procs': args.procs, 'images': count, 'seconds': seconds, 'images_per_s': count / seconds, 'cpu_seconds': cpu}))


if __name__ == '__main__':
    main()
