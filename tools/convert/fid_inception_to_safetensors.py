"""Convert the public FID-Inception weights (PyTorch .pth) to safetensors for vqrae-ts (`FidInception.load`).

Where the input comes from (download it yourself; the project never fetches weights):
  pytorch-fid release asset (the TF "inception-2015-12-05" graph ported to PyTorch by M. Seitzer):
    https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth
  torch-fidelity ships the same values as `weights-inception-2015-12-05-6726825d.pth` (its v0.2.0 release assets);
  either file works. The `6726825d` suffix is the first 8 hex digits of the file's sha256 (torch.hub convention);
  the script checks it unless --allow-hash-mismatch is given.

What it writes:
  A safetensors file whose keys are torchvision's Inception3(num_classes=1008, aux_logits=False) module names, e.g.
    Conv2d_1a_3x3.conv.weight [32, 3, 3, 3]   Conv2d_1a_3x3.bn.{weight,bias,running_mean,running_var} [32]
    Mixed_5b.branch1x1.conv.weight [64, 192, 1, 1]   ...   Mixed_7c.branch_pool.conv.weight [192, 2048, 1, 1]
  all float32, OIHW convs (the TS loader folds BN into the convs and transposes to HWIO at load time).
  `*.num_batches_tracked` is dropped; `fc.*` (the unused 1008-way logits) is dropped unless --keep-fc.
  Metadata: format, source file name and sha256, torch version, converter path.
  Before writing, the state dict is loaded strictly into the plain-PyTorch FID-Inception of
  tools/fixtures/eval/fid_inception_model.py (same module names as torchvision), so names and shapes are verified.

Usage (Debian python3-torch; the `safetensors` package is not needed):
  /usr/bin/python3 tools/convert/fid_inception_to_safetensors.py \
      pt_inception-2015-12-05-6726825d.pth fid_inception_v3.safetensors
Then, in TypeScript: `await FidInception.load('fid_inception_v3.safetensors', { variant: 'torch-fidelity' })`.
"""
import argparse
import os
import re
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', 'fixtures', 'eval'))
from fid_inception_model import FidInceptionV3  # noqa: E402
from safetensors_io import sha256_file, write_safetensors  # noqa: E402




def load_state_dict(path):
    state = torch.load(path, map_location='cpu')
    if isinstance(state, dict) and 'state_dict' in state and isinstance(state['state_dict'], dict):
        state = state['state_dict']
    if not isinstance(state, dict):
        raise SystemExit(f'{path}: expected a state dict, got {type(state).__name__}')
    return {k[len('module.'):] if k.startswith('module.') else k: v for k, v in state.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('input', help='pt_inception-2015-12-05-6726825d.pth (or torch-fidelity\'s copy)')
    parser.add_argument('output', help='output .safetensors path')
    parser.add_argument('--keep-fc', action='store_true', help='keep the unused fc.weight/fc.bias logits layer')
    parser.add_argument('--allow-hash-mismatch', action='store_true',
                        help='do not require sha256 to start with the hash in the file name (e.g. for test files)')
    parser.add_argument('--width-divisor', type=int, default=1, help=argparse.SUPPRESS)  # test networks only
    args = parser.parse_args()

    source_sha = sha256_file(args.input)
    match = re.search(r'-([0-9a-f]{8})\.pth$', os.path.basename(args.input))
    if not args.allow_hash_mismatch:
        if not match:
            raise SystemExit(f'{args.input}: file name carries no -<8 hex>.pth hash; pass --allow-hash-mismatch')
        if not source_sha.startswith(match.group(1)):
            raise SystemExit(f'{args.input}: sha256 {source_sha} does not start with {match.group(1)} (corrupt download?)')

    state = load_state_dict(args.input)
    state = {k: v for k, v in state.items() if not k.endswith('num_batches_tracked')}
    has_fc = 'fc.weight' in state
    model = FidInceptionV3(args.width_divisor, with_fc=has_fc)
    model.load_state_dict(state, strict=False)
    expected = {k for k in model.state_dict() if not k.endswith('num_batches_tracked')}
    missing = sorted(expected - set(state))
    unexpected = sorted(set(state) - expected)
    mismatched = sorted(k for k in expected & set(state) if tuple(state[k].shape) != tuple(model.state_dict()[k].shape))
    if missing or unexpected or mismatched:
        raise SystemExit(f'{args.input}: not an FID-Inception state dict: missing {missing[:6]}, '
                         f'unexpected {unexpected[:6]}, shape mismatch {mismatched[:6]}')

    tensors = {k: v.detach().to(torch.float32).contiguous().numpy() for k, v in state.items()
               if args.keep_fc or not k.startswith('fc.')}
    for k, v in tensors.items():
        if not np.all(np.isfinite(v)):
            raise SystemExit(f'{args.input}: tensor {k} has non-finite values')
    metadata = {
        'format': 'fid-inception-v3/torchvision-keys',
        'source_file': os.path.basename(args.input),
        'source_sha256': source_sha,
        'width_divisor': str(args.width_divisor),
        'converter': 'tools/convert/fid_inception_to_safetensors.py',
        'torch_version': torch.__version__,
    }
    tmp = args.output + '.tmp'
    write_safetensors(tmp, tensors, metadata)
    os.replace(tmp, args.output)
    print(f'wrote {args.output}: {len(tensors)} tensors, sha256 {sha256_file(args.output)} (source sha256 {source_sha})')


if __name__ == '__main__':
    main()
