/** The fixed-resolution SigLIP / SigLIP2 vision tower as ONNX nodes (same math as `SiglipEncoder.encode`). */
import { type SiglipEncoderConfig, siglipLayerKeys, siglipStemKeys, type EncoderGeometry } from '@vqrae/tokenizer';
import { ints } from '../builder/attributes.js';
import { type ExportContext, transpose2d } from './context.js';
import { layerNorm, preNormLayer } from './layers.js';
import { normalisePixels } from './pixels.js';

/** pixel01 NHWC `[B, S, S, 3]` → Z_I `[B, N, d]` (post-LN). */
export function siglipEncoder(ctx: ExportContext, pixels: string, c: SiglipEncoderConfig, geometry: EncoderGeometry, prefix: string): string {
  const g = ctx.g;
  const p = c.patchSize;
  const grid = geometry.gridSize;
  const d = c.hiddenSize;
  const stem = siglipStemKeys(prefix);
  const x = normalisePixels(ctx, pixels, geometry); // [B, S, S, 3]
  // Patch embedding = Conv2d(k = s = p) as patchify ('c-py-px' order, like a flattened OIHW kernel) + MatMul.
  const cells = g.node('Reshape', [x, g.int64([-1, grid, p, grid, p, 3])]); // [B, gh, py, gw, px, C]
  const ordered = g.node('Transpose', [cells], { perm: ints([0, 1, 3, 5, 2, 4]) }); // [B, gh, gw, C, py, px]
  const patches = g.node('Reshape', [ordered, g.int64([-1, grid * grid, 3 * p * p])]); // [B, N, C·p·p]
  const width = 3 * p * p;
  const kernelT = transpose2d(ctx.read(stem.patchWeight), d, width); // OIHW [d, 3, p, p] = [d, 3·p·p] → [3·p·p, d]
  const embedded = g.node('Add', [g.node('MatMul', [patches, g.weight(`${stem.patchWeight}^T`, kernelT, [width, d])]), ctx.param(stem.patchBias)]); // [B, N, d]
  let h = g.node('Add', [embedded, ctx.param(stem.position)]); // [B, N, d] + [N, d]
  for (let l = 0; l < c.numLayers; l++) {
    const k = siglipLayerKeys(l, prefix);
    h = preNormLayer(ctx, h, { ...k, normBeforeAttention: k.norm1, normBeforeMlp: k.norm2 }, c, d); // [B, N, d]
  }
  return layerNorm(ctx, h, c.postLnAffine ? stem.postNorm : undefined, c.layerNormEps, d); // [B, N, d]
}
