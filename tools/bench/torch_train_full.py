#!/usr/bin/env python3
"""PyTorch CPU peer of the FULL small-cpu stage-1 training step (bench:train, variant `full`).

Written from the spec (model-spec §7.1, §7.4, §7.5, §7.9, §8.6) and the trainer's pass structure; random weights,
random batches (speed only). One optimizer step = `accumulate` micro-batches of `batch` images, each doing the same
passes as the TypeScript trainer (libs/train/src/{trainer,objectives,adversary}.ts):

  prepare (no grad):  Z_I = E(x) to block_13_expand_relu; target pyramid = E(x) at the 3 taps (a second forward, as TS)
  a (when asked):     two extra forwards of quantiser + decoder; grad of L_rec = L2 + enc-perceptual and of
                      L_G = -mean D_eval(E_taps(DiffAug(2x̂-1))) w.r.t. decoder_pred.weight only (torch.autograd.grad)
  taped step:         P_in -> SimVQ -> decoder -> L2 + enc-perceptual(E_taps(x̂) vs target) + 0.75·a·L_G + VQ;
                      backward (accumulated over micro-batches, mean)
  then:               grad norm, AdamW (0.9/0.95, wd 0), EMA of the trainable parameters
  D step:             per micro-batch x̂ recomputed with the updated weights (no grad; E(x) again, as TS), clamp +
                      8-bit quantise, DiffAug reals and fakes, E_taps on [reals; fakes], heads in train mode (one
                      power iteration), hinge loss, backward into the heads; AdamW on the heads.

Encoder: torchvision MobileNetV2 (random weights, eval-mode BN, frozen); Keras block_k = features[k + 1], so the taps
are block_5_add = features[6] out [B, 32, 28, 28], block_12_add = features[13] out [B, 96, 14, 14] and
block_13_expand_relu = features[14].conv[0] out [B, 576, 14, 14]. Heads (one per tap): SN-Conv1d(C, C, 1) -> BN-local
-> LeakyReLU 0.2 -> residual [SN-Conv1d(C, C, k, circular) -> BN-local -> LeakyReLU 0.2], (branch + h)/sqrt 2 ->
SN-Conv1d(C, 1, 1); torch spectral_norm (one power iteration in train mode, stored u, v in eval mode).

Server protocol (so the bench can alternate TS and PyTorch steps under the same load): argv[1] = JSON config; prints
{"ready": true}; then for every stdin line {"recompute": bool} runs one optimizer step and prints one JSON line with
"ms" and per-phase "phases" (ms); an empty line or EOF ends.
Run: OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 tools/bench/torch_train_full.py '<json>'
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torch.nn.utils import spectral_norm

from torch_train_step import Decoder


class MobileNetTaps(nn.Module):
    """Frozen MobileNetV2 trunk returning the three tap maps as [B, C, N] (N = H·W)."""

    def __init__(self):
        super().__init__()
        features = torchvision.models.mobilenet_v2(weights=None).features
        self.to_block5 = nn.Sequential(*features[:7])  # -> block_5_add [B, 32, 28, 28]
        self.to_block12 = nn.Sequential(*features[7:14])  # -> block_12_add [B, 96, 14, 14]
        self.expand13 = features[14].conv[0]  # -> block_13_expand_relu [B, 576, 14, 14]
        self.eval().requires_grad_(False)

    def forward(self, pixel01_nhwc):
        x = pixel01_nhwc.permute(0, 3, 1, 2) * 2 - 1  # [B, 3, 224, 224], Keras MobileNet scaling
        t5 = self.to_block5(x)
        t12 = self.to_block12(t5)
        t13 = self.expand13(t12)
        return [t.flatten(2) for t in (t5, t12, t13)]  # each [B, C, N]


class LocalBatchNorm(nn.Module):
    """Per sample and channel over the token axis (population variance), then γ, β."""

    def __init__(self, channels, eps=1e-6):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x):  # [B, C, N]
        mean = x.mean(2, keepdim=True)
        var = x.var(2, unbiased=False, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * self.gamma[:, None] + self.beta[:, None]


class Head(nn.Module):
    def __init__(self, channels, kernel):
        super().__init__()
        self.conv0 = spectral_norm(nn.Conv1d(channels, channels, 1))
        self.norm0 = LocalBatchNorm(channels)
        self.conv1 = spectral_norm(nn.Conv1d(channels, channels, kernel, padding=kernel // 2, padding_mode='circular'))
        self.norm1 = LocalBatchNorm(channels)
        self.cls = spectral_norm(nn.Conv1d(channels, 1, 1))

    def forward(self, x):  # [B, C, N] -> [B, N]
        h = F.leaky_relu(self.norm0(self.conv0(x)), 0.2)
        r = (F.leaky_relu(self.norm1(self.conv1(h)), 0.2) + h) / math.sqrt(2)
        return self.cls(r).squeeze(1)


class Discriminator(nn.Module):
    def __init__(self, channels, kernel):
        super().__init__()
        self.heads = nn.ModuleList([Head(c, kernel) for c in channels])

    def forward(self, features):
        return torch.cat([head(f) for head, f in zip(self.heads, features)], dim=1)  # [B, Σ N]


def diff_augment(x, gen):
    """DiffAug on pm1 NHWC: brightness, saturation, contrast, translation (±12.5%, zero fill), per sample."""
    b, h, w, _ = x.shape
    r = torch.rand(3, b, 1, 1, 1, generator=gen)
    x = x + (r[0] - 0.5)
    mean_c = x.mean(3, keepdim=True)
    x = (x - mean_c) * (2 * r[1]) + mean_c
    mean_all = x.mean((1, 2, 3), keepdim=True)
    x = (x - mean_all) * (r[2] + 0.5) + mean_all
    sy, sx = round(0.125 * h), round(0.125 * w)
    dy = torch.randint(-sy, sy + 1, (b,), generator=gen).tolist()
    dx = torch.randint(-sx, sx + 1, (b,), generator=gen).tolist()
    padded = F.pad(x, (0, 0, sx, sx, sy, sy))  # [B, H + 2sy, W + 2sx, C]
    return torch.cat([padded[i:i + 1, sy + dy[i]:sy + dy[i] + h, sx + dx[i]:sx + dx[i] + w] for i in range(b)], 0)


def unit(f):  # [B, C, N], unit norm over channels
    return f / (f.norm(dim=1, keepdim=True) + 1e-10)


def enc_perceptual(fake, target):
    return sum(((unit(a) - unit(b)) ** 2).sum(1).mean(1) for a, b in zip(fake, target)).mean()


class Model:
    def __init__(self, cfg):
        q_cfg, dec_cfg = cfg['quantizer'], cfg['decoder']
        self.encoder = MobileNetTaps()
        k, e = q_cfg['codebookSize'], q_cfg['codebookDim']
        self.e, self.beta = e, q_cfg['beta']
        self.codebook = torch.randn(k, e) * e ** -0.5
        self.proj = nn.Linear(e, e)
        self.quant_in = nn.Linear(576, e)
        self.decoder = Decoder(e, dec_cfg['hiddenSize'], dec_cfg['numLayers'], dec_cfg['numHeads'], dec_cfg['intermediateSize'],
                               dec_cfg['patchSize'], 14)
        self.params = [*self.proj.parameters(), *self.quant_in.parameters(), *self.decoder.parameters()]
        self.disc = Discriminator([32, 96, 576], cfg['discKernel'])

    def encode(self, x):
        return self.encoder(x)[-1].transpose(1, 2)  # [B, 196, 576]

    def reconstruct(self, z_i):
        z = self.quant_in(z_i)  # [B, N, e]
        cprime = self.proj(self.codebook)  # [k, e]
        flat, cd = z.reshape(-1, self.e).detach(), cprime.detach()
        idx = ((flat ** 2).sum(1, keepdim=True) + (cd ** 2).sum(1)[None] - 2 * flat @ cd.t()).argmin(1)
        q = cprime[idx].reshape_as(z)
        vq = self.beta * ((q.detach() - z) ** 2).mean() + ((q - z.detach()) ** 2).mean()
        return self.decoder(z + (q - z).detach()), vq  # [B, 224, 224, 3] pixel01

    def g_term(self, xhat, gen):
        return -self.disc(self.encoder(((diff_augment(xhat * 2 - 1, gen)) + 1) / 2)).mean()


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg.get('threads', 2))
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    m = Model(cfg)
    lr, batch, accumulate, lam_g = 1e-4, cfg['batch'], cfg['accumulate'], cfg['ganWeight']
    opt = torch.optim.AdamW(m.params, lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    d_opt = torch.optim.AdamW(m.disc.parameters(), lr=lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0)
    ema = [p.detach().clone() for p in m.params]
    w_last = m.decoder.pred.weight
    a = 1.0

    def step(recompute):
        nonlocal a
        phases = {'prepare': 0.0, 'adaptive': 0.0, 'forward': 0.0, 'backward': 0.0, 'optimizer_ema': 0.0, 'd_step': 0.0}
        micro = [torch.rand(batch, 224, 224, 3, generator=gen) for _ in range(accumulate)]
        opt.zero_grad(set_to_none=True)
        m.disc.eval().requires_grad_(False)
        for x in micro:
            t0 = time.perf_counter()
            with torch.no_grad():
                z_i = m.encode(x)
                target = m.encoder(x)
            t1 = time.perf_counter()
            phases['prepare'] += 1000 * (t1 - t0)
            if recompute:
                xhat, _ = m.reconstruct(z_i)
                l_rec = ((xhat - x) ** 2).mean() + enc_perceptual(m.encoder(xhat), target)
                g_rec, = torch.autograd.grad(l_rec, w_last)
                xhat, _ = m.reconstruct(z_i)
                g_g, = torch.autograd.grad(m.g_term(xhat, gen), w_last)
                a = float(torch.clamp(g_rec.norm() / (g_g.norm() + 1e-6), 0, 1e4))
            t2 = time.perf_counter()
            phases['adaptive'] += 1000 * (t2 - t1)
            xhat, vq = m.reconstruct(z_i)
            loss = ((xhat - x) ** 2).mean() + enc_perceptual(m.encoder(xhat), target) + lam_g * a * m.g_term(xhat, gen) + vq
            t3 = time.perf_counter()
            phases['forward'] += 1000 * (t3 - t2)
            (loss / accumulate).backward()
            phases['backward'] += 1000 * (time.perf_counter() - t3)
        t4 = time.perf_counter()
        torch.sqrt(sum((p.grad ** 2).sum() for p in m.params if p.grad is not None)).item()
        opt.step()
        with torch.no_grad():
            for avg, p in zip(ema, m.params):
                avg.mul_(0.99).add_(p.detach(), alpha=0.01)
        t5 = time.perf_counter()
        phases['optimizer_ema'] += 1000 * (t5 - t4)
        m.disc.train().requires_grad_(True)
        d_opt.zero_grad(set_to_none=True)
        for x in micro:
            with torch.no_grad():
                fake, _ = m.reconstruct(m.encode(x))
                fake = torch.round((fake * 2 - 1).clamp(-1, 1).add(1).mul(127.5)) / 127.5 - 1
                both = torch.cat([diff_augment(x * 2 - 1, gen), diff_augment(fake, gen)], 0)
                features = m.encoder((both + 1) / 2)
            logits = m.disc(features)
            real, fake_logits = logits[:batch], logits[batch:]
            d_loss = 0.5 * (F.relu(1 - real).mean() + F.relu(1 + fake_logits).mean())
            (d_loss / accumulate).backward()
        torch.sqrt(sum((p.grad ** 2).sum() for p in m.disc.parameters())).item()
        d_opt.step()
        phases['d_step'] += 1000 * (time.perf_counter() - t5)
        return phases

    print(json.dumps({'ready': True, 'threads': torch.get_num_threads(), 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        request = json.loads(line)
        start = time.perf_counter()
        phases = step(bool(request['recompute']))
        print(json.dumps({'ms': 1000 * (time.perf_counter() - start), 'phases': phases, 'a': a}), flush=True)


if __name__ == '__main__':
    main()
