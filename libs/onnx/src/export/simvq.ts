/**
 * SimVQ inference as ONNX nodes: z = quant_in(Z_I), nearest code of the projected codebook C' = C·Wᵀ + b (computed
 * once at export by the tfjs model itself, so the values are the tfjs path's), first-minimum tie rule; and the code
 * lookup C'[indices] for decoding.
 *
 * The search is chunked over the codebook: chunk j scores ‖C'‖² − 2·z·C'ᵀ on `[B·N, k_chunk]` columns (the row
 * constant ‖z‖² is left out, as in `nearestCodeIndices`), takes ArgMin (first minimum inside the chunk) and joins the
 * running best only where its minimum is strictly smaller, so on equal distances the earliest index wins, exactly
 * `firstArgMin`'s rule. k_chunk = ⌊maxChunkElements / N⌋: one image's distance block stays under the bound; a batch
 * of B images needs B times that. The search always runs in float32 (float16 models cast z up), so fp16 export only
 * changes indices through the encoder's own rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { QUANTIZER_KEYS, type VqraeModel } from '@vqrae/tokenizer';
import { int } from '../builder/attributes.js';
import type { ExportContext } from './context.js';
import { linear } from './layers.js';

/** Host copies of C' `[k, e]`, C'ᵀ `[e, k]` and ‖C'_j‖² `[k]`, computed with the model's own tfjs ops. */
export function projectedCodebook(model: VqraeModel): { codes: Float32Array; codesT: Float32Array; norms: Float32Array } {
  const cb = model.quantizer.projectedCodebook(model.params); // [k, e], owned by the quantizer's cache
  return tf.tidy(() => {
    const codesT = tf.transpose(cb); // [e, k]
    const norms = tf.sum(tf.square(codesT), 0); // [k], as codeNorms
    return { codes: cb.dataSync() as Float32Array, codesT: codesT.dataSync() as Float32Array, norms: norms.dataSync() as Float32Array };
  });
}

/** Column ranges of the codebook chunks for N rows per image under `maxChunkElements`. */
export function codebookChunks(k: number, tokensPerImage: number, maxChunkElements: number): Array<{ start: number; size: number }> {
  if (!(maxChunkElements >= 1)) throw new Error(`onnx export: maxChunkElements must be ≥ 1, got ${maxChunkElements}`);
  const width = Math.min(k, Math.max(1, Math.floor(maxChunkElements / tokensPerImage)));
  const chunks: Array<{ start: number; size: number }> = [];
  for (let start = 0; start < k; start += width) chunks.push({ start, size: Math.min(width, k - start) });
  return chunks;
}

/** Z_I `[B, N, d]` → code indices int32 `[B, N]`. */
export function nearestCodes(ctx: ExportContext, model: VqraeModel, features: string, maxChunkElements: number): string {
  const g = ctx.g;
  const { codebookSize: k, codebookDim: e } = model.config.quantizer;
  const n = model.tokensPerImage;
  const z = linear(ctx, features, { weight: QUANTIZER_KEYS.inWeight, bias: QUANTIZER_KEYS.inBias }); // [B, N, e]
  const rows = g.node('Reshape', [z, g.int64([-1, e])]); // [M, e]
  const rows32 = g.precision === 'float32' ? rows : g.node('Cast', [rows], { to: int(1) });
  const scaled = g.node('Mul', [rows32, g.floatConstant([-2], [], { prefix: 'minus_two', keepFloat32: true })]); // −2·z [M, e]
  const { codesT, norms } = projectedCodebook(model);
  let bestValue = '';
  let bestIndex = '';
  for (const { start, size } of codebookChunks(k, n, maxChunkElements)) {
    const chunkT = new Float32Array(e * size); // C'ᵀ[:, start:start+size] [e, size]
    for (let r = 0; r < e; r++) chunkT.set(codesT.subarray(r * k + start, r * k + start + size), r * size);
    const suffix = start === 0 && size === k ? '' : `[${start}:${start + size}]`;
    const chunkNorms = g.weight(`quantizer.projected_code_norms${suffix}`, norms.slice(start, start + size), [size], { keepFloat32: true });
    const chunkCodes = g.weight(`quantizer.projected_codebook^T${suffix}`, chunkT, [e, size], { keepFloat32: true });
    const scores = g.node('Add', [g.node('MatMul', [scaled, chunkCodes]), chunkNorms]); // ‖C'‖² − 2 z·C' [M, size]
    const localMin = g.node('ReduceMin', [scores], { axes: { kind: 'ints', value: [1] }, keepdims: int(0) }); // [M]
    const localArg = g.node('ArgMin', [scores], { axis: int(1), keepdims: int(0), select_last_index: int(0) }); // [M] int64
    const index = start === 0 ? localArg : g.node('Add', [localArg, g.int64([start], [])]);
    if (bestValue === '') {
      bestValue = localMin;
      bestIndex = index;
      continue;
    }
    const better = g.node('Less', [localMin, bestValue]); // strict: an equal later minimum never replaces an earlier one
    bestIndex = g.node('Where', [better, index, bestIndex]);
    bestValue = g.node('Where', [better, localMin, bestValue]);
  }
  const indices = g.node('Cast', [bestIndex], { to: int(6) }); // int32 [M]
  return g.node('Reshape', [indices, g.int64([-1, n])]); // [B, N]
}

/** Code indices int32 `[B, N]` → C'[indices] `[B, N, e]` in the compute precision. */
export function lookupCodes(ctx: ExportContext, model: VqraeModel, indices: string): string {
  const { codebookSize: k, codebookDim: e } = model.config.quantizer;
  const { codes } = projectedCodebook(model);
  return ctx.g.node('Gather', [ctx.g.weight('quantizer.projected_codebook', codes, [k, e]), indices], { axis: int(0) });
}
