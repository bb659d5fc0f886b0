#!/usr/bin/env python3
"""Convert torchvision's VGG16 ImageNet weights + LPIPS v0.1 linear heads into one safetensors file for
@vqrae/losses (`LpipsNetwork.fromNamedTensors(…, { kind: 'vgg16' })`).

Inputs (the user supplies both; the project never downloads them):
  --vgg   torchvision's VGG16 ImageNet checkpoint, e.g. `vgg16-397923af.pth` (the file
          `torchvision.models.vgg16(weights="IMAGENET1K_V1")` caches; a state dict with `features.*` and
          `classifier.*` keys). Only the 13 conv layers of `features` are kept.
  --lin   LPIPS v0.1 `vgg.pth` from the PerceptualSimilarity repository (`lpips/weights/v0.1/vgg.pth`; SimVQ ships
          the same file as `taming/modules/autoencoder/lpips/vgg.pth`): keys `lin{0..4}.model.1.weight`.

Output keys (float32, PyTorch layouts; the TS loader transposes convs to HWIO itself):
  features.{0,2,5,7,10,12,14,17,19,21,24,26,28}.weight  [C_out, C_in, 3, 3]
  features.{…}.bias                                    [C_out]
  lin{0..4}.model.1.weight                             [1, C_l, 1, 1], C_l = 64, 128, 256, 512, 512 (non-negative)
Metadata: format=vqrae-lpips-vgg16, lpips_version=v0.1, and the sha256 of both input files.

Usage:
  /usr/bin/python3 tools/convert/lpips_to_safetensors.py --vgg vgg16-397923af.pth --lin vgg.pth \
      --out weights/lpips-vgg16-v0.1.safetensors
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import sha256_file, write_safetensors  # noqa: E402

VGG16_CONV_INDICES = [0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28]
VGG16_WIDTHS = [64, 64, 128, 128, 256, 256, 256, 512, 512, 512, 512, 512, 512]
LPIPS_LAYER_WIDTHS = [64, 128, 256, 512, 512]






def convert(vgg_state, lin_state):
    """Select and validate the tensors; returns {key: float32 ndarray}. Raises listing every problem."""
    out = {}
    problems = []
    in_channels = 3
    for index, width in zip(VGG16_CONV_INDICES, VGG16_WIDTHS):
        for suffix, shape in (('weight', (width, in_channels, 3, 3)), ('bias', (width,))):
            key = f'features.{index}.{suffix}'
            if key not in vgg_state:
                problems.append(f'missing {key} in --vgg')
                continue
            value = vgg_state[key].detach().float().cpu().numpy()
            if tuple(value.shape) != shape:
                problems.append(f'{key} has shape {list(value.shape)}, expected {list(shape)}')
            out[key] = value
        in_channels = width
    for layer, width in enumerate(LPIPS_LAYER_WIDTHS):
        key = f'lin{layer}.model.1.weight'
        if key not in lin_state:
            problems.append(f'missing {key} in --lin')
            continue
        value = lin_state[key].detach().float().cpu().numpy()
        if tuple(value.shape) != (1, width, 1, 1):
            problems.append(f'{key} has shape {list(value.shape)}, expected [1, {width}, 1, 1]')
        if (value < 0).any():
            problems.append(f'{key} has negative entries (not LPIPS v0.1 heads?)')
        out[key] = value
    if problems:
        raise SystemExit('lpips_to_safetensors: ' + '; '.join(problems))
    return out


def main():
    import torch  # only needed to read the .pth files

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--vgg', required=True, help='torchvision vgg16 ImageNet state dict (.pth)')
    parser.add_argument('--lin', required=True, help='LPIPS v0.1 vgg.pth (linear heads)')
    parser.add_argument('--out', required=True, help='output .safetensors path')
    args = parser.parse_args()
    vgg_state = torch.load(args.vgg, map_location='cpu')
    lin_state = torch.load(args.lin, map_location='cpu')
    tensors = convert(vgg_state, lin_state)
    tmp = args.out + '.tmp'
    write_safetensors(tmp, tensors, {
        'format': 'vqrae-lpips-vgg16',
        'lpips_version': 'v0.1',
        'vgg_sha256': sha256_file(args.vgg),
        'lin_sha256': sha256_file(args.lin),
    })
    os.replace(tmp, args.out)  # atomic: a failed run never leaves a half-written file
    print(f'wrote {len(tensors)} tensors to {args.out}')


if __name__ == '__main__':
    main()
