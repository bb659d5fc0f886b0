/** The RAE-layout ViT decoder with unpatchify and de-normalisation (same math as `VitDecoder.decode`). */
import { type DecoderConfig, type EncoderGeometry, decoderLayerKeys, decoderStemKeys } from '@vqrae/tokenizer';
import { int, ints } from '../builder/attributes.js';
import type { ExportContext } from './context.js';
import { layerNorm, linear, preNormLayer } from './layers.js';
import { denormalisePixels } from './pixels.js';

/** Latent codes `[B, N, e]` → pixel01 images `[B, S, S, 3]` (S = grid · p, not clamped). */
export function vitDecoder(ctx: ExportContext, latent: string, c: DecoderConfig, geometry: EncoderGeometry, prefix: string): string {
  const g = ctx.g;
  const grid = geometry.gridSize;
  const n = grid * grid;
  const d = c.hiddenSize;
  const p = c.patchSize;
  const stem = decoderStemKeys(prefix);
  const tokens = linear(ctx, latent, stem.embed); // [B, N, D]
  const batch = g.node('Slice', [g.node('Shape', [tokens]), g.int64([0]), g.int64([1])]); // [1] = B
  const clsShape = g.node('Concat', [batch, g.int64([1, d])], { axis: int(0) }); // [B, 1, D]
  const cls = g.node('Expand', [ctx.param(stem.cls), clsShape]); // [1, 1, D] → [B, 1, D]
  let h = g.node('Add', [g.node('Concat', [cls, tokens], { axis: int(1) }), ctx.param(stem.pos)]); // [B, N+1, D]
  for (let l = 0; l < c.numLayers; l++) {
    const k = decoderLayerKeys(l, prefix);
    h = preNormLayer(ctx, h, { ...k, normBeforeAttention: k.normBefore, normBeforeMlp: k.normAfter }, c, d); // [B, N+1, D]
  }
  const normed = layerNorm(ctx, h, stem.norm, c.layerNormEps, d);
  const pred = linear(ctx, normed, stem.pred); // [B, N+1, p²·3]
  const patches = g.node('Slice', [pred, g.int64([1]), g.int64([n + 1]), g.int64([1])]); // drop the cls row → [B, N, p²·3]
  // unpatchify, 'py-px-c' order
  const cells = g.node('Reshape', [patches, g.int64([-1, grid, grid, p, p, 3])]); // [B, gh, gw, py, px, C]
  const rows = g.node('Transpose', [cells], { perm: ints([0, 1, 3, 2, 4, 5]) }); // [B, gh, py, gw, px, C]
  const image = g.node('Reshape', [rows, g.int64([-1, grid * p, grid * p, 3])]); // [B, S, S, 3]
  return denormalisePixels(ctx, image, geometry);
}
