#!/usr/bin/env python3
"""Convert a DINO ViT checkpoint (PyTorch .pth) into safetensors for @vqrae/losses `loadDinoVit` (the frozen
backbone of the `DINO-disc` discriminator, spec §7.5).

Input (the user supplies it; the project never downloads weights):
  --pth   the official DINO ViT-S/8 backbone `dino_deitsmall8_pretrain.pth` (a plain state dict; RAE's recipe S_8
          calls the same file `dino_vit_small_patch8_224.pth`), or DINO's full training checkpoint
          (`dino_deitsmall8_pretrain_full_checkpoint.pth`) with `--checkpoint-key teacher`: the sub-dict is taken,
          `module.` / `backbone.` prefixes are stripped and the projection head (`head.*`) is dropped.

Output keys (float32, PyTorch layouts and names, exactly those of the official checkpoint; the TS loader splits
qkv and flattens the patch conv itself):
  cls_token [1, 1, D]; pos_embed [1, (S/p)^2 + 1, D]; patch_embed.proj.weight [D, 3, p, p] + .bias [D];
  blocks.{i}.norm1.weight|bias, blocks.{i}.attn.qkv.weight [3D, D] + .bias [3D], blocks.{i}.attn.proj.weight|bias,
  blocks.{i}.norm2.weight|bias, blocks.{i}.mlp.fc1.weight [I, D] + .bias, blocks.{i}.mlp.fc2.weight [D, I] + .bias;
  norm.weight|bias [D].
The qkv bias is written unchanged: zeroing its key third is a load-time step (spec §7.5: "on load"), done by the TS
loader exactly as RAE's DinoDisc does it.
Metadata: format=vqrae-dino-vit, source_file, source_sha256, patch_size, width, depth, heads, mlp_hidden,
image_size (read back and checked by `loadDinoVit`).

Usage:
  /usr/bin/python3 tools/convert/dino_to_safetensors.py --pth dino_deitsmall8_pretrain.pth \
      --out weights/dino-vits8.safetensors
Other architectures (e.g. ViT-S/16): pass --heads and --no-expect-s8.
"""
import argparse
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import sha256_file, write_safetensors  # noqa: E402

VIT_S8 = {'patch_size': 8, 'width': 384, 'depth': 12, 'heads': 6, 'mlp_hidden': 1536, 'image_size': 224}




def select_state(checkpoint, checkpoint_key=None):
    """The backbone state dict {name: tensor}: the whole object, or checkpoint[checkpoint_key] with DINO's
    `module.` / `backbone.` prefixes stripped and the projection head dropped."""
    if checkpoint_key is None:
        return dict(checkpoint)
    if checkpoint_key not in checkpoint:
        raise SystemExit(f'dino_to_safetensors: no key {checkpoint_key!r} in the checkpoint (has: {sorted(checkpoint)[:10]})')
    state = {}
    for name, value in checkpoint[checkpoint_key].items():
        name = re.sub(r'^module\.', '', name)
        name = re.sub(r'^backbone\.', '', name)
        if not name.startswith('head.'):
            state[name] = value
    return state


def expected_shapes(arch):
    d, p, mlp = arch['width'], arch['patch_size'], arch['mlp_hidden']
    tokens = (arch['image_size'] // p) ** 2
    shapes = {'cls_token': (1, 1, d), 'pos_embed': (1, tokens + 1, d), 'patch_embed.proj.weight': (d, 3, p, p),
              'patch_embed.proj.bias': (d,), 'norm.weight': (d,), 'norm.bias': (d,)}
    for i in range(arch['depth']):
        b = f'blocks.{i}.'
        shapes.update({b + 'norm1.weight': (d,), b + 'norm1.bias': (d,), b + 'attn.qkv.weight': (3 * d, d),
                       b + 'attn.qkv.bias': (3 * d,), b + 'attn.proj.weight': (d, d), b + 'attn.proj.bias': (d,),
                       b + 'norm2.weight': (d,), b + 'norm2.bias': (d,), b + 'mlp.fc1.weight': (mlp, d),
                       b + 'mlp.fc1.bias': (mlp,), b + 'mlp.fc2.weight': (d, mlp), b + 'mlp.fc2.bias': (d,)})
    return shapes


def infer_architecture(state, heads):
    """Patch size, width, depth, MLP width and image side from the tensor shapes (heads cannot be inferred)."""
    try:
        width, _, patch, _ = state['patch_embed.proj.weight'].shape
        tokens = state['pos_embed'].shape[1] - 1
        mlp_hidden = state['blocks.0.mlp.fc1.weight'].shape[0]
    except KeyError as missing:
        raise SystemExit(f'dino_to_safetensors: not a DINO/timm ViT state dict (missing {missing})')
    depth = 1 + max(int(m.group(1)) for m in (re.match(r'blocks\.(\d+)\.', k) for k in state) if m)
    grid = int(round(tokens ** 0.5))
    if grid * grid != tokens:
        raise SystemExit(f'dino_to_safetensors: pos_embed has {tokens} patch positions, not a square grid')
    if width % heads != 0:
        raise SystemExit(f'dino_to_safetensors: width {width} is not divisible by --heads {heads}')
    return {'patch_size': int(patch), 'width': int(width), 'depth': depth, 'heads': heads,
            'mlp_hidden': int(mlp_hidden), 'image_size': grid * int(patch)}


def convert(state, heads, expect_s8=True):
    """Validate the state dict and return ({key: float32 ndarray}, architecture). Raises listing every problem."""
    arch = infer_architecture(state, heads)
    problems = []
    if expect_s8:
        problems += [f'{k} is {arch[k]}, ViT-S/8 has {v} (pass --no-expect-s8 for another ViT)'
                     for k, v in VIT_S8.items() if arch[k] != v]
    shapes = expected_shapes(arch)
    problems += [f'missing {k}' for k in sorted(shapes) if k not in state]
    problems += [f'unexpected {k}' for k in sorted(state) if k not in shapes]
    out = {}
    for key, shape in shapes.items():
        if key not in state:
            continue
        value = state[key].detach().float().cpu().numpy().astype(np.float32)
        if tuple(value.shape) != shape:
            problems.append(f'{key} has shape {list(value.shape)}, expected {list(shape)}')
        out[key] = value
    if problems:
        raise SystemExit('dino_to_safetensors: ' + '; '.join(problems))
    return out, arch


def metadata_for(arch, source_path):
    return {'format': 'vqrae-dino-vit', 'source_file': os.path.basename(source_path),
            'source_sha256': sha256_file(source_path), **{k: str(v) for k, v in arch.items()}}


def main():
    import torch  # only needed to read the .pth file

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--pth', required=True, help='DINO ViT state dict (.pth)')
    parser.add_argument('--out', required=True, help='output .safetensors path')
    parser.add_argument('--heads', type=int, default=6, help='attention heads (not stored in the weights; ViT-S: 6)')
    parser.add_argument('--checkpoint-key', default=None, help='sub-dict of a full training checkpoint, e.g. teacher')
    parser.add_argument('--no-expect-s8', dest='expect_s8', action='store_false',
                        help='accept any ViT size instead of insisting on ViT-S/8 at 224')
    args = parser.parse_args()
    state = select_state(torch.load(args.pth, map_location='cpu'), args.checkpoint_key)
    tensors, arch = convert(state, args.heads, args.expect_s8)
    tmp = args.out + '.tmp'
    write_safetensors(tmp, tensors, metadata_for(arch, args.pth))
    os.replace(tmp, args.out)
    print(f'wrote {len(tensors)} tensors ({arch}) to {args.out}')


if __name__ == '__main__':
    main()
