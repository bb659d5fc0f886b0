/**
 * Multi-head self-attention (separate q/k/v/out Linear layers, PyTorch layouts; SigLIP and ViT-MAE layouts).
 *
 * The core softmax(q·kᵀ·s)·v has a custom gradient built from explicit transposes and plain (batched or unstacked)
 * products, because tf.matMul's built-in gradient uses the transposeA/transposeB forms that are 13–46× slower on wasm:
 *   S = q·kᵀ·s, A = softmax(S), O = A·v
 *   dv = Aᵀ·dO,  dA = dO·vᵀ,  dS = A ⊙ (dA − Σ_keys dA ⊙ A),  dq = dS·k·s,  dk = dSᵀ·q·s
 * Measured fwd+bwd on wasm (1 thread), see DEFAULT_ATTENTION_STRATEGY below.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchedMatMul, transposeLast2, type BatchedMatMulStrategy } from './batched-matmul.js';
import { defineCustomOp } from './custom-op.js';
import { linear, type LinearParams } from './linear.js';

/** Weights of one attention layer. */
export interface AttentionParams {
  readonly q: LinearParams;
  readonly k: LinearParams;
  readonly v: LinearParams;
  readonly o: LinearParams;
}

/** Options of `multiHeadAttention`. */
export interface AttentionOptions {
  /** Product strategy for the per-head matrices (default DEFAULT_ATTENTION_STRATEGY). */
  readonly strategy?: BatchedMatMulStrategy;
  /** Score scale (default 1/√(D/numHeads)). */
  readonly scale?: number;
  /** No gradients for the projection weights (frozen network); gradients still reach x. */
  readonly frozen?: boolean;
}

/**
 * Strategy used when none is given. Measured fwd+bwd on wasm (1 thread, tfjs 4.22, machine shared and heavily loaded,
 * load average ~14 on 2 cores, so absolute times are inflated; minimum of 5 runs):
 *   tiny  B16 N65  D64  h4:  batched 84 ms,   unstacked 1788 ms,  built-in (transposeB + built-in grads) 256 ms
 *   small B8  N196 D256 h4:  batched 2149 ms, unstacked 7007 ms,  built-in 4055 ms
 *   ViT-B B2  N257 D768 h12: batched 1718 ms, unstacked 10422 ms, built-in 12331 ms
 * Unstacking into per-head 2-D products paid more in slice/stack and per-op overhead than it won, so 'batched'.
 */
export const DEFAULT_ATTENTION_STRATEGY: BatchedMatMulStrategy = 'batched';

const coreOps = new Map<string, (...inputs: tf.Tensor[]) => tf.Tensor>();

function attentionCoreOp(scale: number, strategy: BatchedMatMulStrategy): (...inputs: tf.Tensor[]) => tf.Tensor {
  const key = `${strategy}:${scale}`;
  const cached = coreOps.get(key);
  if (cached !== undefined) return cached;
  const op = defineCustomOp('attentionCore', 3, ([q, k, v], save) => {
    const scores = tf.mul(batchedMatMul(q, transposeLast2(k), strategy), scale); // [G, Nq, Nk]
    const probs = tf.softmax(scores); // [G, Nq, Nk]
    save([q, k, v, probs]);
    return {
      value: batchedMatMul(probs, v, strategy), // [G, Nq, dh]
      gradFunc: (dO, [qs, ks, vs, a]) => {
        // dS is shared by dq and dk: computed once here (lives until the backward pass ends)
        const dA = batchedMatMul(dO, transposeLast2(vs), strategy); // [G, Nq, Nk]
        const dS = tf.mul(a, tf.sub(dA, tf.sum(tf.mul(dA, a), -1, true))); // [G, Nq, Nk]
        return [
          () => tf.mul(batchedMatMul(dS, ks, strategy), scale), // dq [G, Nq, dh]
          () => tf.mul(batchedMatMul(transposeLast2(dS), qs, strategy), scale), // dk [G, Nk, dh]
          () => batchedMatMul(transposeLast2(a), dO, strategy), // dv [G, Nk, dh]
        ];
      },
    };
  });
  coreOps.set(key, op);
  return op;
}

/**
 * softmax(q·kᵀ·scale)·v for q [G, Nq, dh], k and v [G, Nk, dh] (G = batch × heads); returns [G, Nq, dh].
 */
export function scaledDotProductAttention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  scale: number,
  strategy: BatchedMatMulStrategy = DEFAULT_ATTENTION_STRATEGY,
): tf.Tensor {
  if (q.rank !== 3 || k.rank !== 3 || v.rank !== 3) throw new Error('scaledDotProductAttention: q, k, v must be rank 3 [G, N, dh]');
  return attentionCoreOp(scale, strategy)(q, k, v);
}

/** [B, N, D] → [B·h, N, D/h] */
function splitHeads(x: tf.Tensor, numHeads: number): tf.Tensor {
  const [batch, tokens, width] = x.shape;
  const headDim = width / numHeads;
  const split = tf.reshape(x, [batch, tokens, numHeads, headDim]); // [B, N, h, dh]
  const heads = tf.transpose(split, [0, 2, 1, 3]); // [B, h, N, dh]
  return tf.reshape(heads, [batch * numHeads, tokens, headDim]); // [B·h, N, dh]
}

/** [B·h, N, dh] → [B, N, h·dh] */
function mergeHeads(x: tf.Tensor, batch: number, numHeads: number): tf.Tensor {
  const [, tokens, headDim] = x.shape;
  const heads = tf.reshape(x, [batch, numHeads, tokens, headDim]); // [B, h, N, dh]
  const merged = tf.transpose(heads, [0, 2, 1, 3]); // [B, N, h, dh]
  return tf.reshape(merged, [batch, tokens, numHeads * headDim]); // [B, N, D]
}

/** Multi-head self-attention on x [B, N, D] → [B, N, D] (caller owns the result). */
export function multiHeadAttention(x: tf.Tensor, p: AttentionParams, numHeads: number, opts: AttentionOptions = {}): tf.Tensor {
  if (x.rank !== 3) throw new Error(`multiHeadAttention: x must be [B, N, D], got [${x.shape.join(', ')}]`);
  const [batch, , width] = x.shape;
  const inner = p.q.weight.shape[0];
  if (!Number.isInteger(numHeads) || numHeads < 1 || inner % numHeads !== 0) {
    throw new Error(`multiHeadAttention: attention width ${inner} (input ${width}) is not divisible by numHeads=${numHeads}`);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(inner / numHeads);
  const linearOpts = { frozen: opts.frozen ?? false };
  return tf.tidy(() => {
    const q = splitHeads(linear(x, p.q.weight, p.q.bias, linearOpts), numHeads); // [B·h, N, dh]
    const k = splitHeads(linear(x, p.k.weight, p.k.bias, linearOpts), numHeads); // [B·h, N, dh]
    const v = splitHeads(linear(x, p.v.weight, p.v.bias, linearOpts), numHeads); // [B·h, N, dh]
    const o = scaledDotProductAttention(q, k, v, scale, opts.strategy ?? DEFAULT_ATTENTION_STRATEGY); // [B·h, N, dh]
    return linear(mergeHeads(o, batch, numHeads), p.o.weight, p.o.bias, linearOpts); // [B, N, D]
  });
}
