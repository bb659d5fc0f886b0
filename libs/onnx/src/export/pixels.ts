/** Pixel normalisation inside the graph (same as `normalisePixels` / `denormalisePixels` of the tokenizer). */
import type { EncoderGeometry } from '@vqrae/tokenizer';
import type { ExportContext } from './context.js';

function isIdentity(geometry: EncoderGeometry): boolean {
  return geometry.pixelMean.every((m) => m === 0) && geometry.pixelStd.every((s) => s === 1);
}

/** pixel01 `[B, H, W, 3]` → (x − mean)/std per channel (no nodes when mean 0 and std 1: exact identity). */
export function normalisePixels(ctx: ExportContext, pixels: string, geometry: EncoderGeometry): string {
  if (isIdentity(geometry)) return pixels;
  const mean = ctx.g.floatConstant([...geometry.pixelMean], [3], { prefix: 'pixel_mean' });
  const std = ctx.g.floatConstant([...geometry.pixelStd], [3], { prefix: 'pixel_std' });
  return ctx.g.node('Div', [ctx.g.node('Sub', [pixels, mean]), std]);
}

/** Encoder input space `[B, H, W, 3]` → pixel01: x·std + mean (no clamping). */
export function denormalisePixels(ctx: ExportContext, x: string, geometry: EncoderGeometry): string {
  if (isIdentity(geometry)) return x;
  const mean = ctx.g.floatConstant([...geometry.pixelMean], [3], { prefix: 'pixel_mean' });
  const std = ctx.g.floatConstant([...geometry.pixelStd], [3], { prefix: 'pixel_std' });
  return ctx.g.node('Add', [ctx.g.node('Mul', [x, std]), mean]);
}
