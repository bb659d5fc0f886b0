/**
 * Transformer pieces as ONNX nodes, each the same formula, in the same order of operations, as its tfjs
 * counterpart in `@vqrae/nn` (linear, layerNorm, gelu / geluTanh, multiHeadAttention, mlp).
 */
import type { Activation } from '@vqrae/tokenizer';
import { float, int, ints } from '../builder/attributes.js';
import { DATA_TYPE_CODES } from '../builder/proto.js';
import type { ExportContext } from './context.js';

/** Checkpoint names of a Linear layer (PyTorch layout `[out, in]`). */
export interface LinearKeys {
  readonly weight: string;
  readonly bias: string;
}

/** y = x·Wᵀ + b for x `[..., in]` → `[..., out]` (W stored pre-transposed). */
export function linear(ctx: ExportContext, x: string, keys: LinearKeys): string {
  return ctx.g.node('Add', [ctx.g.node('MatMul', [x, ctx.paramTransposed(keys.weight)]), ctx.param(keys.bias)]);
}

/**
 * LayerNormalization over the last axis (population variance, opset 17). Without affine parameters (SigLIP with
 * `postLnAffine: false`) the scale is ones and the bias zeros, which is exact. Float16 graphs normalise in float32
 * (Cast in and out, float32 scale and bias): float16 squares overflow past |x| ≈ 256, and the decoder's eps 1e-12
 * underflows to 0 in float16, which turned the all-zero cls row into NaN on the WebGPU provider.
 */
export function layerNorm(ctx: ExportContext, x: string, keys: LinearKeys | undefined, eps: number, width: number): string {
  const g = ctx.g;
  const f16 = g.precision === 'float16';
  const keepFloat32 = f16;
  const scale = keys === undefined ? g.floatConstant(new Float32Array(width).fill(1), [width], { prefix: 'ln_ones', keepFloat32 }) : ctx.param(keys.weight, { keepFloat32 });
  const bias = keys === undefined ? g.floatConstant(new Float32Array(width), [width], { prefix: 'ln_zeros', keepFloat32 }) : ctx.param(keys.bias, { keepFloat32 });
  const input = f16 ? g.node('Cast', [x], { to: int(DATA_TYPE_CODES.float32) }) : x;
  const y = g.node('LayerNormalization', [input, scale, bias], { axis: int(-1), epsilon: float(eps), stash_type: int(1) });
  return f16 ? g.node('Cast', [y], { to: int(DATA_TYPE_CODES.float16) }) : y;
}

/**
 * GELU written out with primitive ops (the default-domain Gelu exists only from opset 20):
 * 'gelu' = x·(0.5·(1 + erf(x·√½))); 'gelu_tanh' = (0.5·x)·(1 + tanh(√(2/π)·(x + 0.044715·x·x²))), as in `@vqrae/nn`.
 * ORT fuses both patterns into its own Gelu / FastGelu kernels.
 */
export function gelu(ctx: ExportContext, x: string, kind: Activation): string {
  const g = ctx.g;
  if (kind === 'gelu') {
    const cdf = g.node('Mul', [ctx.scalar(0.5), g.node('Add', [ctx.scalar(1), g.node('Erf', [g.node('Mul', [x, ctx.scalar(Math.SQRT1_2)])])])]);
    return g.node('Mul', [x, cdf]);
  }
  const cube = g.node('Mul', [x, g.node('Mul', [x, x])]); // x·x²
  const inner = g.node('Mul', [ctx.scalar(Math.sqrt(2 / Math.PI)), g.node('Add', [x, g.node('Mul', [ctx.scalar(0.044715), cube])])]);
  return g.node('Mul', [g.node('Mul', [ctx.scalar(0.5), x]), g.node('Add', [ctx.scalar(1), g.node('Tanh', [inner])])]);
}

/** Transformer MLP fc2(act(fc1(x))). */
export function mlp(ctx: ExportContext, x: string, fc1: LinearKeys, fc2: LinearKeys, act: Activation): string {
  return linear(ctx, gelu(ctx, linear(ctx, x, fc1), act), fc2);
}

/** Checkpoint names of one attention layer. */
export interface AttentionKeys {
  readonly q: LinearKeys;
  readonly k: LinearKeys;
  readonly v: LinearKeys;
  readonly o: LinearKeys;
}

/** Multi-head self-attention on x `[B, N, D]` → `[B, N, D]`: softmax(q·kᵀ·dh^-½)·v per head. */
export function attention(ctx: ExportContext, x: string, keys: AttentionKeys, numHeads: number, width: number): string {
  const g = ctx.g;
  const headDim = width / numHeads;
  const splitShape = g.int64([0, 0, numHeads, headDim]);
  const heads = (keysOf: LinearKeys, perm: number[]) =>
    g.node('Transpose', [g.node('Reshape', [linear(ctx, x, keysOf), splitShape])], { perm: ints(perm) }); // [B, N, h, dh] → perm
  const q = heads(keys.q, [0, 2, 1, 3]); // [B, h, N, dh]
  const kT = heads(keys.k, [0, 2, 3, 1]); // [B, h, dh, N]
  const v = heads(keys.v, [0, 2, 1, 3]); // [B, h, N, dh]
  const scores = g.node('Mul', [g.node('MatMul', [q, kT]), ctx.scalar(1 / Math.sqrt(headDim))]); // [B, h, N, N]
  const probs = g.node('Softmax', [scores], { axis: int(-1) });
  const out = g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: ints([0, 2, 1, 3]) }); // [B, N, h, dh]
  const merged = g.node('Reshape', [out, g.int64([0, 0, width])]); // [B, N, D]
  return linear(ctx, merged, keys.o);
}

/** Checkpoint names of one pre-norm transformer layer (SigLIP `layer_norm1/2`, the ViT decoder's `layernorm_before/after`). */
export interface PreNormLayerKeys extends AttentionKeys {
  readonly normBeforeAttention: LinearKeys;
  readonly normBeforeMlp: LinearKeys;
  readonly fc1: LinearKeys;
  readonly fc2: LinearKeys;
}

/** What {@link preNormLayer} needs of a transformer config. */
export interface PreNormLayerConfig {
  readonly numHeads: number;
  readonly layerNormEps: number;
  readonly activation: Activation;
}

/** One pre-norm transformer layer on h `[B, N, D]`: h + attention(LN(h)), then + mlp(LN(·)) → `[B, N, D]`. */
export function preNormLayer(ctx: ExportContext, h: string, keys: PreNormLayerKeys, c: PreNormLayerConfig, width: number): string {
  const g = ctx.g;
  const attended = g.node('Add', [h, attention(ctx, layerNorm(ctx, h, keys.normBeforeAttention, c.layerNormEps, width), keys, c.numHeads, width)]);
  return g.node('Add', [attended, mlp(ctx, layerNorm(ctx, attended, keys.normBeforeMlp, c.layerNormEps, width), keys.fc1, keys.fc2, c.activation)]);
}
