#!/usr/bin/env python3
"""PyTorch CPU peer of one VQRAE stage-1 training step (bench:train).

Builds the same computation as the TypeScript `small-cpu` (or `tiny`) stage-1 step from a JSON config on argv:
frozen encoder forward (no grad) -> input projection d->e -> SimVQ (frozen codebook C, learnable W, b; L2 argmin on
C' = C W^T + b; straight-through) -> RAE-style ViT decoder (decoder_embed, zero cls token, fixed 2-D sin-cos table,
pre-LN blocks with exact GELU, norm, decoder_pred, unpatchify) -> L2 pixel loss + beta*commit + codebook ->
backward -> AdamW (betas 0.9/0.95, wd 0) -> EMA of the trainable parameters. Weights are random (speed only).

Encoders: "mobilenetv2-s16" = torchvision MobileNetV2 up to the expansion ReLU of its 14th block (Keras
`block_13_expand_relu`, 14x14x576 at 224 px); "siglip-vit" = a small pre-LN ViT with tanh GELU.

Prints one JSON line: {"ms_per_step", "steps_per_s", "images_per_s", "threads", "torch"}.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/torch_train_step.py '<json>'
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sincos_2d(grid: int, dim: int) -> torch.Tensor:
    """MAE/RAE 2-D sin-cos table with a zero cls row: [1 + grid*grid, dim]."""
    def one_d(d, pos):
        omega = torch.arange(d // 2, dtype=torch.float64) / (d / 2.0)
        omega = 1.0 / 10000 ** omega
        out = pos.reshape(-1)[:, None].double() * omega[None, :]
        return torch.cat([torch.sin(out), torch.cos(out)], dim=1)
    gh, gw = torch.meshgrid(torch.arange(grid, dtype=torch.float64), torch.arange(grid, dtype=torch.float64), indexing='xy')
    emb = torch.cat([one_d(dim // 2, gw), one_d(dim // 2, gh)], dim=1)
    return torch.cat([torch.zeros(1, dim, dtype=torch.float64), emb], dim=0).float()


class Block(nn.Module):
    """Pre-LN transformer block: x + attn(ln1(x)); x + mlp(ln2(x)) (GELU `act`: 'tanh' or 'none')."""

    def __init__(self, dim, heads, mlp, eps, act):
        super().__init__()
        self.ln1 = nn.LayerNorm(dim, eps=eps)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(dim, eps=eps)
        self.fc1 = nn.Linear(dim, mlp)
        self.fc2 = nn.Linear(mlp, dim)
        self.act = act

    def forward(self, x):
        a = self.ln1(x)
        x = x + self.attn(a, a, a, need_weights=False)[0]
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate=self.act))


class Decoder(nn.Module):
    def __init__(self, e, dim, layers, heads, mlp, patch, grid):
        super().__init__()
        self.embed = nn.Linear(e, dim)
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.register_buffer('pos', sincos_2d(grid, dim)[None])
        self.blocks = nn.ModuleList([Block(dim, heads, mlp, 1e-12, 'none') for _ in range(layers)])
        self.norm = nn.LayerNorm(dim, eps=1e-12)
        self.pred = nn.Linear(dim, patch * patch * 3)
        self.patch, self.grid = patch, grid

    def forward(self, q):
        b = q.shape[0]
        x = torch.cat([self.cls.expand(b, -1, -1), self.embed(q)], dim=1) + self.pos  # [B, 1+N, D]
        for blk in self.blocks:
            x = blk(x)
        y = self.pred(self.norm(x))[:, 1:]  # [B, N, p*p*3]
        p, g = self.patch, self.grid
        y = y.reshape(b, g, g, p, p, 3).permute(0, 1, 3, 2, 4, 5)  # [B, g, p, g, p, 3]
        return y.reshape(b, g * p, g * p, 3)  # NHWC like the TS model


def mobilenet_encoder():
    import torchvision
    features = torchvision.models.mobilenet_v2(weights=None).features
    # Keras block_k = torchvision features[k + 1]; block_13_expand_relu = features[14].conv[0] output.
    return nn.Sequential(*features[:14], features[14].conv[0]), 576


class VitEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, p = cfg['hiddenSize'], cfg['patchSize']
        self.patch = nn.Conv2d(3, d, p, p)
        self.pos = nn.Parameter(torch.zeros(1, (cfg['imageSize'] // p) ** 2, d))
        self.blocks = nn.ModuleList([Block(d, cfg['numHeads'], cfg['intermediateSize'], 1e-6, 'tanh') for _ in range(cfg['numLayers'])])
        self.post = nn.LayerNorm(d, eps=1e-6)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2) + self.pos
        for blk in self.blocks:
            x = blk(x)
        return self.post(x)


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get('threads', 2))
    torch.manual_seed(0)
    enc_cfg, q_cfg, dec_cfg = cfg['encoder'], cfg['quantizer'], cfg['decoder']
    if enc_cfg['kind'] == 'mobilenetv2-imagenet-stride16':
        encoder, d = mobilenet_encoder()
        size, grid = 224, 14
    else:
        encoder, d = VitEncoder(enc_cfg), enc_cfg['hiddenSize']
        size, grid = enc_cfg['imageSize'], enc_cfg['imageSize'] // enc_cfg['patchSize']
    encoder.eval().requires_grad_(False)
    k, e, beta = q_cfg['codebookSize'], q_cfg['codebookDim'], q_cfg['beta']
    codebook = torch.randn(k, e) * e ** -0.5  # frozen C
    proj = nn.Linear(e, e)  # W, b
    quant_in = nn.Linear(d, e)  # P_in
    decoder = Decoder(e, dec_cfg['hiddenSize'], dec_cfg['numLayers'], dec_cfg['numHeads'], dec_cfg['intermediateSize'],
                      dec_cfg['patchSize'], grid)
    params = [*proj.parameters(), *quant_in.parameters(), *decoder.parameters()]
    opt = torch.optim.AdamW(params, lr=1e-4, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    ema = [p.detach().clone() for p in params]
    batch = cfg['batch']
    images = torch.rand(batch, size, size, 3)

    def step():
        with torch.no_grad():
            z_i = encoder(images.permute(0, 3, 1, 2))  # [B, d, g, g] or [B, N, d]
            if z_i.dim() == 4:
                z_i = z_i.flatten(2).transpose(1, 2)  # [B, N, d]
        z = quant_in(z_i)  # [B, N, e]
        cprime = proj(codebook)  # [k, e]
        flat = z.reshape(-1, e)
        dist = (flat.detach() ** 2).sum(1, keepdim=True) + (cprime.detach() ** 2).sum(1)[None] - 2 * flat.detach() @ cprime.detach().t()
        idx = dist.argmin(1)
        q = cprime[idx].reshape_as(z)
        loss_vq = beta * ((q.detach() - z) ** 2).mean() + ((q - z.detach()) ** 2).mean()
        q_st = z + (q - z).detach()
        recon = decoder(q_st)
        loss = ((recon - images) ** 2).mean() + loss_vq
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for m, p in zip(ema, params):
                m.mul_(0.999).add_(p.detach(), alpha=0.001)
        return float(loss)

    for _ in range(cfg.get('warmup', 2)):
        step()
    steps = cfg.get('steps', 5)
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start
    print(json.dumps({'ms_per_step': 1000 * seconds / steps, 'steps_per_s': steps / seconds,
                      'images_per_s': steps * batch / seconds, 'threads': torch.get_num_threads(),
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
