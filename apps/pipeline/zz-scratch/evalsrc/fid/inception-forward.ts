import * as tf from '@tensorflow/tfjs-core';
import type { ConvSpec, InceptionArchitecture, MixedBlock, PoolBranch } from './inception-architecture.js';
import type { FoldedConv } from './inception-weights.js';

/**
 * FID-Inception-v3 forward pass (NHWC) over BN-folded weights. Pure function of its inputs; only the returned
 * tensor survives (the caller owns it).
 */

type Weights = ReadonlyMap<string, FoldedConv>;

/** BasicConv2d with BN folded: conv + bias + ReLU in one fused op. */
function basicConv(x: tf.Tensor4D, spec: ConvSpec, weights: Weights): tf.Tensor4D {
  const w = weights.get(spec.name);
  if (!w) throw new Error(`fidInceptionForward: no weights for '${spec.name}'`);
  return tf.fused.conv2d({ x, filter: w.filter, bias: w.bias, strides: spec.stride, pad: spec.padding, activation: 'relu' });
}

/** 3×3 stride-1 pool with padding 1: average over in-bounds taps only (count_include_pad=False), or max. */
function poolBranch(x: tf.Tensor4D, kind: PoolBranch): tf.Tensor4D {
  return kind === 'max' ? tf.maxPool(x, 3, 1, 'same') : tf.avgPool(x, 3, 1, 'same');
}

function chain(x: tf.Tensor4D, specs: readonly ConvSpec[], weights: Weights): tf.Tensor4D {
  return specs.reduce((h, spec) => basicConv(h, spec, weights), x);
}

function mixedBlock(x: tf.Tensor4D, block: MixedBlock, weights: Weights): tf.Tensor4D {
  const cv = (h: tf.Tensor4D, spec: ConvSpec): tf.Tensor4D => basicConv(h, spec, weights);
  switch (block.kind) {
    case 'A': {
      const c = block.convs;
      return tf.concat([
        cv(x, c.branch1x1),
        chain(x, [c.branch5x5_1, c.branch5x5_2], weights),
        chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2, c.branch3x3dbl_3], weights),
        cv(poolBranch(x, 'avg-exclude-pad'), c.branch_pool),
      ], 3); // [B, 35, 35, 224 + pool]
    }
    case 'B': {
      const c = block.convs;
      return tf.concat([
        cv(x, c.branch3x3),
        chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2, c.branch3x3dbl_3], weights),
        tf.maxPool(x, 3, 2, 'valid'),
      ], 3); // [B, 17, 17, 768]
    }
    case 'C': {
      const c = block.convs;
      return tf.concat([
        cv(x, c.branch1x1),
        chain(x, [c.branch7x7_1, c.branch7x7_2, c.branch7x7_3], weights),
        chain(x, c.branch7x7dbl, weights),
        cv(poolBranch(x, 'avg-exclude-pad'), c.branch_pool),
      ], 3); // [B, 17, 17, 768]
    }
    case 'D': {
      const c = block.convs;
      return tf.concat([
        chain(x, [c.branch3x3_1, c.branch3x3_2], weights),
        chain(x, c.branch7x7x3, weights),
        tf.maxPool(x, 3, 2, 'valid'),
      ], 3); // [B, 8, 8, 1280]
    }
    case 'E': {
      const c = block.convs;
      const t = cv(x, c.branch3x3_1);
      const d = chain(x, [c.branch3x3dbl_1, c.branch3x3dbl_2], weights);
      return tf.concat([
        cv(x, c.branch1x1),
        cv(t, c.branch3x3_2a), cv(t, c.branch3x3_2b),
        cv(d, c.branch3x3dbl_3a), cv(d, c.branch3x3dbl_3b),
        cv(poolBranch(x, block.pool), c.branch_pool),
      ], 3); // [B, 8, 8, 2048]
    }
  }
}

/**
 * Runs the network on network-ready input `x` [B, 299, 299, 3] (already resized and normalised by an input
 * variant) and returns the pool3 features [B, featureDim]. The caller owns the result; `x` is not disposed.
 */
export function fidInceptionForward(x: tf.Tensor4D, arch: InceptionArchitecture, weights: Weights): tf.Tensor2D {
  const [c1a, c2a, c2b, c3b, c4a] = arch.stem as [ConvSpec, ConvSpec, ConvSpec, ConvSpec, ConvSpec];
  // Each step runs in its own tidy so a block's intermediates are freed before the next block starts.
  let h = tf.tidy(() => {
    const s1 = tf.maxPool(chain(x, [c1a, c2a, c2b], weights), 3, 2, 'valid'); // [B, 147, 147, 64] → [B, 73, 73, 64]
    return tf.maxPool(chain(s1, [c3b, c4a], weights), 3, 2, 'valid'); // [B, 71, 71, 192] → [B, 35, 35, 192]
  });
  for (const block of arch.blocks) {
    const next = tf.tidy(() => mixedBlock(h, block, weights));
    h.dispose();
    h = next;
  }
  const features = tf.tidy(() => tf.mean(h, [1, 2]) as tf.Tensor2D); // [B, featureDim] global average over 8×8
  h.dispose();
  return features;
}
