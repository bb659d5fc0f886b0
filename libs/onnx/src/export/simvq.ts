/**
 * SimVQ inference as ONNX nodes: z = quant_in(Z_I), nearest code of the projected codebook C' = C·Wᵀ + b (computed
 * once at export by the tfjs model itself, so the values are the tfjs path's), first-minimum tie rule; and the code
 * lookup C'[indices] for decoding.
 *
 * The search runs in blocks with a bounded distance matrix (`searchPlan`): a Loop walks blocks of R rows of z; each
 * block is scored ‖C'‖² − 2·z·C'ᵀ against column chunks of the codebook (the row constant ‖z‖² is left out, as in
 * `nearestCodeIndices`), ArgMin takes the first minimum inside a chunk, and a chunk's result replaces the running
 * best only where its minimum is strictly smaller, so on equal distances the earliest index wins: `firstArgMin`'s
 * rule. A `[R, chunk]` block never exceeds `maxChunkElements`, whatever the batch. The search always runs in float32
 * (float16 models cast z up), so fp16 export changes indices only through the encoder's own rounding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { QUANTIZER_KEYS, type VqraeModel } from '@vqrae/tokenizer';
import { graph, int, ints } from '../builder/attributes.js';
import type { OnnxGraphBuilder } from '../builder/graph-builder.js';
import type { ExportContext } from './context.js';
import { linear } from './layers.js';

/** Host copies of C' `[k, e]`, C'ᵀ `[e, k]` and ‖C'_j‖² `[k]`, computed with the model's own tfjs ops. */
export function projectedCodebook(model: VqraeModel): { codes: Float32Array; codesT: Float32Array; norms: Float32Array } {
  const cb = model.quantizer.projectedCodebook(model.params); // [k, e], owned by the quantizer's cache
  // Tensors out of the tidy, arrays read after it: tf.tidy walks every element of a TypedArray it returns.
  const [codesT, norms] = tf.tidy(() => {
    const transposed = tf.transpose(cb); // [e, k]
    return [transposed, tf.sum(tf.square(transposed), 0)]; // ‖C'_j‖² [k], as codeNorms
  });
  try {
    return { codes: cb.dataSync() as Float32Array, codesT: codesT.dataSync() as Float32Array, norms: norms.dataSync() as Float32Array };
  } finally {
    tf.dispose([codesT, norms]);
  }
}

/** How the search is cut: blocks of `rows` rows, each scored against the codebook in column `chunks`. */
export interface SearchPlan {
  /** Rows of z per loop iteration (the last block is padded with zero rows whose indices are dropped). */
  readonly rows: number;
  /** Column ranges of C'ᵀ, ascending. */
  readonly chunks: ReadonlyArray<{ readonly start: number; readonly size: number }>;
}

/**
 * The search plan for k codes under `maxChunkElements`: column chunks of min(k, maxChunkElements) codes, blocks of
 * ⌊maxChunkElements / chunk⌋ rows (the tfjs search's row chunk when the codebook fits in one chunk), so one
 * distance block `[rows, chunk]` never exceeds the bound, whatever the batch.
 */
export function searchPlan(k: number, maxChunkElements: number): SearchPlan {
  if (!(Number.isInteger(maxChunkElements) && maxChunkElements >= 1)) throw new Error(`onnx export: maxChunkElements must be a positive integer, got ${maxChunkElements}`);
  const width = Math.min(k, maxChunkElements);
  const chunks: Array<{ start: number; size: number }> = [];
  for (let start = 0; start < k; start += width) chunks.push({ start, size: Math.min(width, k - start) });
  return { rows: Math.max(1, Math.floor(maxChunkElements / width)), chunks };
}

/**
 * Nearest code of each row of `block` (−2·z, float32 `[R, e]`) over all chunks, built in graph `g` (the loop body):
 * int64 `[R]`. Chunk constants are shared initializers of the model.
 */
function searchBlock(g: OnnxGraphBuilder, block: string, chunks: SearchPlan['chunks'], codebook: ChunkConstants): string {
  let bestValue = '';
  let bestIndex = '';
  for (const [i, { start }] of chunks.entries()) {
    const scores = g.node('Add', [g.node('MatMul', [block, codebook.codesT[i]]), codebook.norms[i]]); // ‖C'‖² − 2 z·C' [R, chunk]
    const localMin = g.node('ReduceMin', [scores], { axes: ints([1]), keepdims: int(0) }); // [R]
    const localArg = g.node('ArgMin', [scores], { axis: int(1), keepdims: int(0), select_last_index: int(0) }); // [R] int64, first minimum
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
  return bestIndex;
}

/** Initializer names of each chunk's C'ᵀ columns `[e, chunk]` and norms `[chunk]` (float32 in every precision). */
interface ChunkConstants {
  readonly codesT: string[];
  readonly norms: string[];
}

/** The searched codebook as host arrays: C'ᵀ `[e, k]` and ‖C'_j‖² `[k]`. */
export interface SearchCodebook {
  readonly codesT: Float32Array;
  readonly norms: Float32Array;
  readonly codebookSize: number;
  readonly codebookDim: number;
}

function chunkConstants(g: OnnxGraphBuilder, codebook: SearchCodebook, chunks: SearchPlan['chunks']): ChunkConstants {
  const { codebookSize: k, codebookDim: e, codesT, norms } = codebook;
  const out: ChunkConstants = { codesT: [], norms: [] };
  for (const { start, size } of chunks) {
    const chunkT = new Float32Array(e * size); // C'ᵀ[:, start:start+size] [e, size]
    for (let r = 0; r < e; r++) chunkT.set(codesT.subarray(r * k + start, r * k + start + size), r * size);
    const suffix = chunks.length === 1 ? '' : `[${start}:${start + size}]`;
    out.norms.push(g.weight(`quantizer.projected_code_norms${suffix}`, norms.slice(start, start + size), [size], { keepFloat32: true }));
    out.codesT.push(g.weight(`quantizer.projected_codebook^T${suffix}`, chunkT, [e, size], { keepFloat32: true }));
  }
  return out;
}

/**
 * The blocked search in graph `g`: rows z float32 `[M, e]` → nearest code indices int32 `[M]`. The rows (scaled by
 * −2) are padded to T·R rows and searched block by block in a Loop (T iterations, block i = rows [i·R, (i+1)·R));
 * the stacked `[T, R]` indices are cut back to M. Shared by the exported models and {@link searchOnlyGraph}.
 */
export function codeSearch(g: OnnxGraphBuilder, rows32: string, codebook: SearchCodebook, maxChunkElements: number): string {
  const plan = searchPlan(codebook.codebookSize, maxChunkElements);
  const r = plan.rows;
  const scaled = g.node('Mul', [rows32, g.floatConstant([-2], [], { prefix: 'minus_two', keepFloat32: true })]); // −2·z [M, e]
  const m = g.node('Gather', [g.node('Shape', [scaled]), g.int64([0], [])], { axis: int(0) }); // M, int64 scalar
  const blocks = g.node('Div', [g.node('Add', [m, g.int64([r - 1], [])]), g.int64([r], [])]); // T = ⌈M / R⌉ scalar
  const padRows = g.node('Sub', [g.node('Mul', [blocks, g.int64([r], [])]), m]); // T·R − M
  const pads = g.node('Concat', [g.int64([0, 0]), g.node('Unsqueeze', [padRows, g.int64([0])]), g.int64([0])], { axis: int(0) }); // [0, 0, pad, 0]
  const padded = g.node('Pad', [scaled, pads]); // [T·R, e], zero rows at the end
  const constants = chunkConstants(g, codebook, plan.chunks);
  const body = g.subgraph('code_search_block');
  const iteration = body.input(body.fresh('iteration'), 'int64', []);
  const condition = body.input(body.fresh('condition'), 'bool', []);
  const start = body.node('Unsqueeze', [body.node('Mul', [iteration, body.int64([r], [])]), body.int64([0])]); // [1]
  const block = body.node('Slice', [padded, start, body.node('Add', [start, body.int64([r])]), body.int64([0])]); // [R, e]
  body.output(body.fresh('condition_out'), body.node('Identity', [condition]), 'bool', []);
  body.output(body.fresh('block_indices'), searchBlock(body, block, plan.chunks, constants), 'int64', [r]);
  const [stacked] = g.nodeOutputs('Loop', [blocks, ''], 1, { body: graph(body) }); // [T, R]
  const flat = g.node('Slice', [g.node('Reshape', [stacked, g.int64([-1])]), g.int64([0]), g.node('Unsqueeze', [m, g.int64([0])]), g.int64([0])]); // [M]
  return g.node('Cast', [flat], { to: int(6) }); // int32 [M]
}

/**
 * Z_I `[B, N, d]` → code indices int32 `[B, N]`: z = quant_in(Z_I) as rows `[M, e]` (M = B·N), searched by
 * {@link codeSearch} in float32 against the model's projected codebook.
 */
export function nearestCodes(ctx: ExportContext, model: VqraeModel, features: string, maxChunkElements: number): string {
  const g = ctx.g;
  const { codebookSize, codebookDim: e } = model.config.quantizer;
  const z = linear(ctx, features, { weight: QUANTIZER_KEYS.inWeight, bias: QUANTIZER_KEYS.inBias }); // [B, N, e]
  const rows = g.node('Reshape', [z, g.int64([-1, e])]); // [M, e]
  const rows32 = g.precision === 'float32' ? rows : g.node('Cast', [rows], { to: int(1) });
  const { codesT, norms } = projectedCodebook(model);
  const indices = codeSearch(g, rows32, { codesT, norms, codebookSize, codebookDim: e }, maxChunkElements); // [M]
  return g.node('Reshape', [indices, g.int64([-1, model.tokensPerImage])]); // [B, N]
}

/** Code indices int32 `[B, N]` → C'[indices] `[B, N, e]` in the compute precision. */
export function lookupCodes(ctx: ExportContext, model: VqraeModel, indices: string): string {
  const { codebookSize: k, codebookDim: e } = model.config.quantizer;
  const { codes } = projectedCodebook(model);
  return ctx.g.node('Gather', [ctx.g.weight('quantizer.projected_codebook', codes, [k, e]), indices], { axis: int(0) });
}
