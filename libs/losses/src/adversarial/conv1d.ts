import * as tf from '@tensorflow/tfjs-core';
import { linear } from '@vqrae/nn';
import { check } from '../internal/ops.js';

/**
 * 1-D convolution over the token axis of [B, L, C_in] with a PyTorch Conv1d weight [C_out, C_in, K] (odd K,
 * stride 1, padding K//2 with circular wrap, as `padding_mode='circular'`), written as im2col + `linear` from
 * @vqrae/nn (plain 2-D matMuls only) so that it is trainable on wasm (no conv backprop-filter kernel needed). Returns [B, L, C_out].
 * Caller owns the result.
 */
export function circularConv1d(x: tf.Tensor3D, weight: tf.Tensor3D, bias?: tf.Tensor1D): tf.Tensor3D {
  const where = 'circularConv1d';
  const [batch, length, inChannels] = x.shape;
  const [outChannels, weightIn, kernel] = weight.shape;
  check(weightIn === inChannels, where, () => `weight [${weight.shape}] does not take ${inChannels} input channels`);
  check(kernel % 2 === 1, where, () => `kernel size ${kernel} must be odd`);
  const pad = (kernel - 1) / 2;
  check(pad <= length, where, () => `circular padding ${pad} exceeds the token count ${length}`);
  return tf.tidy(() => {
    let columns: tf.Tensor3D = x; // [B, L, C_in] for K = 1
    if (kernel > 1) {
      const padded = tf.concat(
        [tf.slice(x, [0, length - pad, 0], [-1, pad, -1]), x, tf.slice(x, [0, 0, 0], [-1, pad, -1])],
        1,
      ); // [B, L + 2p, C_in], wrapped
      const taps: tf.Tensor3D[] = [];
      for (let j = 0; j < kernel; j++) taps.push(tf.slice(padded, [0, j, 0], [-1, length, -1])); // [B, L, C_in]
      columns = tf.concat(taps, 2); // [B, L, K·C_in], column index j·C_in + c
    }
    // Weight [C_out, C_in, K] → [C_out, K, C_in] → [C_out, K·C_in] to match the (j, c) column order.
    const weight2d = tf.reshape(tf.transpose(weight, [0, 2, 1]), [outChannels, kernel * inChannels]) as tf.Tensor2D;
    const rows = tf.reshape(columns, [batch * length, kernel * inChannels]) as tf.Tensor2D; // [B·L, K·C_in]
    const y = linear(rows, weight2d, bias); // [B·L, C_out], plain 2-D matMuls forward and backward
    return tf.reshape(y, [batch, length, outChannels]) as tf.Tensor3D;
  });
}

/**
 * BatchNormLocal with a virtual batch of 1 (spec §7.5): per sample and channel, normalise over the token axis
 * (population variance, eps) then apply γ, β [C]. Input/output [B, L, C]; no running statistics.
 */
export function localBatchNorm(x: tf.Tensor3D, gamma: tf.Tensor1D, beta: tf.Tensor1D, eps: number): tf.Tensor3D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, 1, true); // [B, 1, C]
    const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
    return tf.add(tf.mul(normalized, gamma), beta) as tf.Tensor3D;
  });
}
