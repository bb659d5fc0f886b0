#!/usr/bin/env python3
"""Python peer of `npm run bench:data`: WebDataset tar shards -> PIL decode -> centre crop -> float32 batches.

Per sample: tarfile member bytes -> PIL.Image.open(...).convert('RGB') -> resize so the shorter side is S with
BICUBIC (torchvision Resize semantics: long side int(S*long/short)) -> central SxS crop (offsets round((L-S)/2)) ->
numpy float32 / 255, stacked into [B, S, S, 3] batches. With --procs N the shards are split over N processes (like
DataLoader workers / webdataset split_by_worker); throughput = images / (last finish - first start).
With --draft, PIL's `draft('RGB', (S, S))` runs before the decode: libjpeg's DCT-domain downscale by 1/2, 1/4 or 1/8
while both sides stay >= S (PIL's fast path for large JPEGs), then the same bicubic centre crop.
Prints one JSON line: {"procs", "images", "seconds", "images_per_s", "cpu_seconds"} (CPU time summed over processes,
a figure that a busy machine distorts less than wall time).
With --components it instead runs the worker's loop once more with CPU time taken between its steps (tar read,
decode, crop, float32, batch stack) and prints {"components": [{"name", "images", "cpu_seconds"}]}.
"""
import argparse
import io
import json
import multiprocessing as mp
import tarfile
import time

import os
import sys

import numpy as np
from PIL import Image

# The torchvision-style centre crop of the PIL peer (one definition for the bench and the agreement tool).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'testing'))
from pil_center_crop import center_crop  # noqa: E402


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
    shards, size, batch_size, barrier, draft = args
    if barrier is not None:
        barrier.wait()
    start, cpu_start = time.perf_counter(), time.process_time()
    count, pending = 0, []
    for shard in shards:
        for _key, files in samples(shard):
            img = Image.open(io.BytesIO(files['jpg']))
            if draft:
                img.draft('RGB', (size, size))
            img = img.convert('RGB')
            pending.append(np.asarray(center_crop(img, size), dtype=np.float32) / 255.0)
            count += 1
            if len(pending) == batch_size:
                batch = np.stack(pending)  # [B, S, S, 3]
                assert batch.shape == (batch_size, size, size, 3)
                pending = []
    if pending:
        np.stack(pending)
    return count, start, time.perf_counter(), time.process_time() - cpu_start


def components(shards, size, batch_size):
    """The worker's loop with CPU time taken between its steps (tar read, decode, crop, float32, batch stack), best
    (least total CPU) of two passes. Steps are timed inside the real loop because timing them alone changes the
    allocation pattern, and on this VM that alone moves costs by milliseconds (freeing a block at another moment lets
    malloc trim the heap and the next image pays for page faults)."""
    names = ['tar read', 'decode', 'center crop', 'float32 conversion', 'batch stack [B,S,S,3]']

    def one_pass():
        spent = [0.0] * len(names)
        count, pending = 0, []
        clock = time.process_time
        for shard in shards:
            stream = samples(shard)
            while True:
                t0 = clock()
                item = next(stream, None)
                t1 = clock()
                spent[0] += t1 - t0
                if item is None:
                    break
                img = Image.open(io.BytesIO(item[1]['jpg'])).convert('RGB')
                t2 = clock()
                cropped = center_crop(img, size)
                t3 = clock()
                pending.append(np.asarray(cropped, dtype=np.float32) / 255.0)
                del cropped
                t4 = clock()
                count += 1
                if len(pending) == batch_size:
                    np.stack(pending)  # [B, S, S, 3]
                    pending = []
                t5 = clock()
                for i, (a, b) in enumerate([(t1, t2), (t2, t3), (t3, t4), (t4, t5)]):
                    spent[i + 1] += b - a
        return count, spent

    passes = [one_pass() for _ in range(2)]
    count, spent = min(passes, key=lambda p: sum(p[1]))
    return [{'name': name, 'images': count, 'cpu_seconds': cpu} for name, cpu in zip(names, spent)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('shards', nargs='+')
    parser.add_argument('--size', type=int, default=256)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--procs', type=int, default=1)
    parser.add_argument('--components', action='store_true')
    parser.add_argument('--draft', action='store_true', help="PIL draft('RGB', (S, S)) before decoding (DCT-domain downscale)")
    args = parser.parse_args()
    if args.components:
        print(json.dumps({'components': components(args.shards, args.size, args.batch)}))
        return
    if args.procs == 1:
        count, start, end, cpu = worker((args.shards, args.size, args.batch, None, args.draft))
    else:
        ctx = mp.get_context('fork')
        barrier = ctx.Manager().Barrier(args.procs)
        parts = [(args.shards[i :: args.procs], args.size, args.batch, barrier, args.draft) for i in range(args.procs)]
        with ctx.Pool(args.procs) as pool:
            results = pool.map(worker, parts)
        count = sum(r[0] for r in results)
        start, end = min(r[1] for r in results), max(r[2] for r in results)
        cpu = sum(r[3] for r in results)
    seconds = end - start
    print(json.dumps({'procs': args.procs, 'images': count, 'seconds': seconds, 'images_per_s': count / seconds, 'cpu_seconds': cpu}))


if __name__ == '__main__':
    main()
