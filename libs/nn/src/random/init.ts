/**
 * Parameter initialisers. Values are drawn on the host from an Rng into a Float32Array, then uploaded with
 * tf.tensor; each returns a NEW float32 tensor that the caller owns.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from './rng.js';

/** Shape of a tensor, outermost axis first. */
export type Shape = readonly number[];

function sizeOf(shape: Shape, context: string): number {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${context}: invalid shape [${shape.join(', ')}]`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

function fill(shape: Shape, context: string, draw: () => number): tf.Tensor {
  const values = new Float32Array(sizeOf(shape, context));
  for (let i = 0; i < values.length; i++) values[i] = draw();
  return tf.tensor(values, [...shape], 'float32');
}

/** N(mean, std²). */
export function normalInit(rng: Rng, shape: Shape, std: number, mean = 0): tf.Tensor {
  return fill(shape, 'normalInit', () => mean + std * rng.normal());
}

/**
 * Truncated normal: a standard normal redrawn until |z| <= bound (bound in std units, default 2), then scaled by std.
 * Matches timm/HF `trunc_normal_tf_` (truncate first, then scale).
 */
export function truncatedNormalInit(rng: Rng, shape: Shape, std: number, bound = 2): tf.Tensor {
  if (!(bound > 0)) throw new Error(`truncatedNormalInit: bound must be > 0, got ${bound}`);
  return fill(shape, 'truncatedNormalInit', () => {
    for (;;) {
      const z = rng.normal();
      if (Math.abs(z) <= bound) return std * z;
    }
  });
}

/** LeCun normal as in HF SigLIP: truncated normal (±2 std units) with std = sqrt(1/fanIn) / 0.87962566. */
export function lecunNormalInit(rng: Rng, shape: Shape, fanIn: number): tf.Tensor {
  if (!(fanIn > 0)) throw new Error(`lecunNormalInit: fanIn must be > 0, got ${fanIn}`);
  return truncatedNormalInit(rng, shape, Math.sqrt(1 / fanIn) / 0.87962566103423978, 2);
}

/** PyTorch fan computation for a weight in [out, in, ...receptive] layout (Linear [out, in], Conv OIHW). */
export function fans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new Error(`fans: need a weight of rank >= 2, got shape [${shape.join(', ')}]`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

/** Xavier/Glorot uniform U(±sqrt(6 / (fanIn + fanOut))) for [out, in] or OIHW weights. */
export function xavierUniformInit(rng: Rng, shape: Shape): tf.Tensor {
  const { fanIn, fanOut } = fans(shape);
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return fill(shape, 'xavierUniformInit', () => (2 * rng.uniform() - 1) * bound);
}

/** PyTorch default Linear/Conv init for weight and bias: U(±1/sqrt(fanIn)). */
export function torchDefaultUniformInit(rng: Rng, shape: Shape, fanIn: number): tf.Tensor {
  if (!(fanIn > 0)) throw new Error(`torchDefaultUniformInit: fanIn must be > 0, got ${fanIn}`);
  const bound = 1 / Math.sqrt(fanIn);
  return fill(shape, 'torchDefaultUniformInit', () => (2 * rng.uniform() - 1) * bound);
}

/** Zeros (float32). */
export function zerosInit(shape: Shape): tf.Tensor {
  sizeOf(shape, 'zerosInit');
  return tf.zeros([...shape], 'float32');
}

/** Ones (float32). */
export function onesInit(shape: Shape): tf.Tensor {
  sizeOf(shape, 'onesInit');
  return tf.ones([...shape], 'float32');
}
