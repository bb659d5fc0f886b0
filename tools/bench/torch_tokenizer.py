#!/usr/bin/env python3
"""PyTorch CPU peer of `npm run bench:tokenizer` (tools/bench/bench-tokenizer.ts).

Builds the same shapes as the TypeScript side with random weights (speed only) and times them in inference mode:
  search:<k>x<e>      L2 nearest code of z [M, e] on a cached projected codebook C' [k, e]:
                      argmin_j (|C'_j|^2 - 2 z.C'_j) as one addmm + argmin (tokens/s)
  train-quant:<k>x<e> training quantize, forward + backward: z = quant_in(x); C' = C W^T + b and the argmin without
                      grad; q = C[idx] W^T + b; straight-through; beta*commit + codebook loss; backward (tokens/s)
  enc:mobilenetv2     torchvision mobilenet_v2 features[:14] + features[14].conv[0] (= Keras block_13_expand_relu,
                      [B, 576, 14, 14]) at 224 px (images/s)
  enc:siglip-b        pre-LN ViT-B/16 at 256 px (768, 12 layers, 12 heads, 3072, tanh GELU, post-LN) (images/s)
  dec:<name>          RAE-layout decoder: decoder_embed, cls, sin-cos pos, pre-LN blocks (exact GELU), norm,
                      decoder_pred, unpatchify, de-normalisation (images/s)

argv[1]: JSON {"items": [{"id", "kind", ...shape fields, "batch"}], "warmup": 1, "iters": 3}
Prints one JSON line: {"torch", "threads", "results": [{"id", "median_ms", "times_ms", "units_per_call", "load1"}]}.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/torch_tokenizer.py '<json>'
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

from torch_train_step import Block  # the same pre-LN block the train-step peer uses




class SiglipVit(nn.Module):
    def __init__(self, image, patch, dim, layers, heads, mlp):
        super().__init__()
        self.patch = nn.Conv2d(3, dim, patch, stride=patch)
        self.pos = nn.Parameter(torch.randn(1, (image // patch) ** 2, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp, 1e-6, 'tanh') for _ in range(layers))
        self.post = nn.LayerNorm(dim, eps=1e-6)

    def forward(self, images):  # images [B, 3, S, S] pixel01
        x = self.patch(images * 2 - 1).flatten(2).transpose(1, 2) + self.pos  # [B, N, d]
        for block in self.blocks:
            x = block(x)
        return self.post(x)


class RaeDecoder(nn.Module):
    def __init__(self, latent, dim, layers, heads, mlp, patch, grid):
        super().__init__()
        self.patch, self.grid = patch, grid
        self.embed = nn.Linear(latent, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer('pos', torch.randn(1, grid * grid + 1, dim))  # fixed table (values irrelevant for speed)
        self.blocks = nn.ModuleList(Block(dim, heads, mlp, 1e-12, 'none') for _ in range(layers))
        self.norm = nn.LayerNorm(dim, eps=1e-12)
        self.pred = nn.Linear(dim, patch * patch * 3)
        self.register_buffer('mean', torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1))

    def forward(self, latent):  # [B, N, e]
        b = latent.shape[0]
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(latent)], 1) + self.pos  # [B, N+1, D]
        for block in self.blocks:
            x = block(x)
        tokens = self.pred(self.norm(x))[:, 1:]  # [B, N, p*p*3]
        g, p = self.grid, self.patch
        img = tokens.reshape(b, g, g, p, p, 3).permute(0, 5, 1, 3, 2, 4).reshape(b, 3, g * p, g * p)
        return img * self.std + self.mean


def mobilenet_stride16():
    net = torchvision.models.mobilenet_v2(weights=None).features
    return nn.Sequential(*net[:14], net[14].conv[0]).eval()  # block_13_expand_relu [B, 576, 14, 14]


def build(item):
    """Returns (callable, units per call, grad?)."""
    kind, batch = item['kind'], item.get('batch', 1)
    if kind == 'search':
        k, e, m = item['k'], item['e'], item['tokens']
        codes = torch.randn(k, e) * e ** -0.5
        norms = (codes * codes).sum(1)
        codes_t = codes.t().contiguous()  # [e, k]
        z = torch.randn(m, e) * e ** -0.5
        return (lambda: torch.addmm(norms, z, codes_t, beta=1, alpha=-2).argmin(1)), m, False
    if kind == 'train-quant':
        k, e, m = item['k'], item['e'], item['tokens']
        quant_in = nn.Linear(e, e)
        proj = nn.Linear(e, e)
        codebook = torch.randn(k, e) * e ** -0.5
        x = torch.randn(m, e)

        def step():
            quant_in.zero_grad(set_to_none=True)
            proj.zero_grad(set_to_none=True)
            z = quant_in(x)
            with torch.no_grad():
                cp = proj(codebook)  # C' [k, e]
                idx = torch.addmm((cp * cp).sum(1), z, cp.t(), alpha=-2).argmin(1)
            q = proj(codebook[idx])  # [M, e], grad to W, b
            loss = 0.25 * F.mse_loss(q.detach(), z) + F.mse_loss(q, z.detach())
            q_st = z + (q - z).detach()
            loss.backward()
            return q_st
        return step, m, True
    if kind == 'enc-mobilenetv2':
        net = mobilenet_stride16()
        x = torch.rand(batch, 3, 224, 224)
        return (lambda: net(x)), batch, False
    if kind == 'enc-siglip':
        net = SiglipVit(item['image'], item['patch'], item['dim'], item['layers'], item['heads'], item['mlp']).eval()
        x = torch.rand(batch, 3, item['image'], item['image'])
        return (lambda: net(x)), batch, False
    if kind == 'dec':
        grid = item['grid']
        net = RaeDecoder(item['latent'], item['dim'], item['layers'], item['heads'], item['mlp'], item['patch'], grid).eval()
        x = torch.randn(batch, grid * grid, item['latent'])
        return (lambda: net(x)), batch, False
    raise ValueError(f'torch_tokenizer: unknown item kind {kind!r}')


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(int(spec.get('threads', 2)))
    torch.manual_seed(0)
    results = []
    for item in spec['items']:
        fn, units, needs_grad = build(item)
        times = []
        for i in range(spec.get('warmup', 1) + spec.get('iters', 3)):
            with torch.set_grad_enabled(needs_grad):
                if not needs_grad:
                    with torch.inference_mode():
                        start = time.perf_counter()
                        fn()
                        elapsed = time.perf_counter() - start
                else:
                    start = time.perf_counter()
                    fn()
                    elapsed = time.perf_counter() - start
            if i >= spec.get('warmup', 1):
                times.append(elapsed * 1000)
        results.append({'id': item['id'], 'median_ms': statistics.median(times), 'times_ms': times, 'units_per_call': units, 'load1': os.getloadavg()[0]})
        print(f"torch {item['id']}: {statistics.median(times):.1f} ms", file=sys.stderr, flush=True)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'results': results}))


if __name__ == '__main__':
    main()
