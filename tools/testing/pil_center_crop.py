#!/usr/bin/env python3
"""PIL peer of tools/testing/decode-mode-agreement.ts (`--compare pil`): the reference-quality Python decode of the
same JPEG files, for the token-agreement ceiling between two full-size decoders.

For each input file: PIL.Image.open -> ImageOps.exif_transpose -> convert('RGB') (full-size libjpeg decode, no
draft) -> torchvision-style centre crop (shorter side to S with BICUBIC, long side int(S*long/short), offsets
round((L-S)/2)); the S*S*3 uint8 crops are written back to back to --out (and, with --draft-out, the same crops
decoded with `draft()` to that file). ICC profiles are ignored (as PIL does).
Then it times, in CPU seconds (time.process_time, best of --repeat passes), the same centre crop from the encoded
bytes with a full decode and with `draft('RGB', (S, S))` (libjpeg DCT-domain downscale), and prints one JSON line:
{"images", "full_cpu_ms", "draft_cpu_ms"} (per image).
"""
import argparse
import io
import json
import time

from PIL import Image, ImageOps


def center_crop(img, size):
    w, h = img.size
    nw, nh = (size, int(size * h / w)) if w <= h else (int(size * w / h), size)
    img = img.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - size) / 2.0)), int(round((nh - size) / 2.0))
    return img.crop((left, top, left + size, top + size))


def decode(data, size, draft):
    img = Image.open(io.BytesIO(data))
    if draft:
        img.draft('RGB', (size, size))
    img = ImageOps.exif_transpose(img)
    return center_crop(img.convert('RGB'), size)


def cpu_ms_per_image(blobs, size, draft, repeat):
    best = float('inf')
    for _ in range(repeat):
        start = time.process_time()
        for data in blobs:
            decode(data, size, draft).tobytes()
        best = min(best, time.process_time() - start)
    return 1000.0 * best / len(blobs)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('files', nargs='+')
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--draft-out', help='also write the crops decoded with draft() here')
    parser.add_argument('--repeat', type=int, default=2)
    args = parser.parse_args()
    blobs = []
    for path in args.files:
        with open(path, 'rb') as f:
            blobs.append(f.read())
    with open(args.out, 'wb') as out:
        for data in blobs:
            crop = decode(data, args.size, False)
            assert crop.size == (args.size, args.size) and crop.mode == 'RGB'
            out.write(crop.tobytes())
    if args.draft_out:
        with open(args.draft_out, 'wb') as out:
            for data in blobs:
                out.write(decode(data, args.size, True).tobytes())
    full = cpu_ms_per_image(blobs, args.size, False, args.repeat)
    draft = cpu_ms_per_image(blobs, args.size, True, args.repeat)
    print(json.dumps({'images': len(blobs), 'full_cpu_ms': full, 'draft_cpu_ms': draft}))


if __name__ == '__main__':
    main()
