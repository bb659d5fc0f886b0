/**
 * Inference-mode batch norm (per-channel `scale`, `shift`) fused with an optional ReLU6, as ONE op with an explicit
 * gradient. Written by hand for the tfjs wasm backend, where training back-propagates through MobileNetV2 2-4 times
 * per micro-batch:
 * - `tf.clipByValue`'s gradient runs GreaterEqual, LessEqual, LogicalAnd and a Select (wasm's Select is a slow scalar
 *   loop); here the ReLU6 mask is built from four float kernels (Sub, Mul, Step, Sub) and applied with one Mul.
 * - The composed `mul → add → clipByValue` keeps three full-size copies per layer for the backward pass (every tensor
 *   the tape saves is cloned, and wasm's Identity copies the data); this op saves only its input `h` (plus the two
 *   [C] vectors) and recomputes the pre-activation `z = h·scale + shift` with the same kernels in the backward.
 *
 * Boundary convention: the gradient passes where 0 ≤ z ≤ 6 (both ends INCLUDED), exactly like tfjs `clipByValue`
 * (and `torch.clamp`) which this op replaces, so every gradient value is unchanged. PyTorch's `relu6`/`hardtanh` and
 * TensorFlow's `relu6` exclude both ends; the two differ only where a pre-activation is exactly 0 or 6.
 * Two differences from tfjs' Select-based gradient, neither a value change of a finite loss: zeros may carry the sign
 * of dy (−0 where Select wrote +0; they compare equal), and a NaN pre-activation gives a NaN gradient instead of 0
 * (its forward value is NaN already).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp } from '@vqrae/nn';

/** dy where 0 ≤ z ≤ 6, else 0: z·(z − 6) > 0 exactly outside [0, 6] (no rounding to 0: |z − 6| ≥ 1 ulp there). */
export function relu6Gradient(dy: tf.Tensor, z: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const outside = tf.step(tf.mul(z, tf.sub(z, 6))); // 1 outside [0, 6], 0 on it
    return tf.mul(dy, tf.sub(1, outside));
  });
}

const batchNormOp = (relu6: boolean) =>
  defineCustomOp(relu6 ? 'batchNormRelu6' : 'batchNorm', 3, ([h, scale, shift], save) => {
    save([h, scale, shift]);
    const z = tf.add(tf.mul(h, scale), shift); // [B, H, W, C]
    return {
      value: relu6 ? tf.clipByValue(z, 0, 6) : z,
      gradFunc: (dy, [x, s, b]) => {
        // dz is needed by every input's gradient; the thunks below only run for the inputs the tape asks for.
        const dz = relu6 ? relu6Gradient(dy, tf.add(tf.mul(x, s), b)) : dy; // [B, H, W, C]
        const channelSum = (t: tf.Tensor, like: tf.Tensor) => tf.reshape(tf.sum(t, [0, 1, 2]), like.shape); // [C]
        return [() => tf.mul(dz, s), () => channelSum(tf.mul(dz, x), s), () => channelSum(dz, b)];
      },
    };
  });

const OPS = { relu6: batchNormOp(true), linear: batchNormOp(false) };

/**
 * `clip(h·scale + shift, 0, 6)` (or without the clip when `relu6` is false): h `[B, H, W, C]`, scale and shift `[C]`
 * → `[B, H, W, C]` (caller owns). Values and gradients equal the composed tfjs ops (`tf.mul`, `tf.add`,
 * `tf.clipByValue`); see the file comment for the boundary convention.
 */
export function batchNormRelu6(h: tf.Tensor4D, scale: tf.Tensor, shift: tf.Tensor, relu6: boolean): tf.Tensor4D {
  return (relu6 ? OPS.relu6 : OPS.linear)(h, scale, shift) as tf.Tensor4D;
}
