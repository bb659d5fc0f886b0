/**
 * Trainable convolutions that run on wasm (which lacks Conv2DBackpropFilter): im2col by pad/slice/stack (all with
 * gradients) followed by the fast `linear`. Weights use PyTorch layouts (Conv1d [out, in, k], Conv2d OIHW); the
 * im2col vector is ordered (c, ky, kx) to match the flattened kernel (index c·kh·kw + ky·kw + kx).
 * With `frozen: true`, conv2d uses tf.conv2d directly (xnnpack forward; its input gradient exists on wasm) and the
 * kernel receives no gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { linear } from './linear.js';

/** Options of `conv1d`. */
export interface Conv1dOptions {
  /** Padding on each side of the token axis (default 0). */
  readonly padding?: number;
  /** 'zeros' (default) or 'circular' (wrap around, as torch padding_mode='circular'). */
  readonly paddingMode?: 'zeros' | 'circular';
  /** No weight/bias gradients (see LinearOptions.frozen). */
  readonly frozen?: boolean;
}

/**
 * 1-D convolution over the token axis, stride 1: x [B, N, Cin], weight [Cout, Cin, k] (torch Conv1d), bias [Cout]
 * → [B, N + 2·padding − k + 1, Cout] (tokens-last layout, i.e. torch's [B, C, N] transposed).
 */
export function conv1d(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined, opts: Conv1dOptions = {}): tf.Tensor {
  if (x.rank !== 3 || weight.rank !== 3 || weight.shape[1] !== x.shape[2]) {
    throw new Error(`conv1d: need x [B, N, Cin] and weight [Cout, Cin, k], got x [${x.shape.join(', ')}], weight [${weight.shape.join(', ')}]`);
  }
  const [outChannels, inChannels, kernel] = weight.shape;
  const pad = opts.padding ?? 0;
  const [batch, tokens] = x.shape;
  if (opts.paddingMode === 'circular' && pad > tokens) throw new Error(`conv1d: circular padding ${pad} exceeds ${tokens} tokens`);
  const outTokens = tokens + 2 * pad - kernel + 1;
  if (outTokens < 1) throw new Error(`conv1d: kernel ${kernel} is longer than the padded input (${tokens + 2 * pad})`);
  return tf.tidy(() => {
    let padded = x; // [B, N + 2p, Cin]
    if (pad > 0) {
      padded =
        opts.paddingMode === 'circular'
          ? tf.concat([tf.slice(x, [0, tokens - pad, 0], [-1, pad, -1]), x, tf.slice(x, [0, 0, 0], [-1, pad, -1])], 1)
          : tf.pad(x, [[0, 0], [pad, pad], [0, 0]]);
    }
    const taps = Array.from({ length: kernel }, (_, j) => tf.slice(padded, [0, j, 0], [batch, outTokens, inChannels])); // k × [B, No, Cin]
    const columns = tf.reshape(tf.stack(taps, 3), [batch, outTokens, inChannels * kernel]); // [B, No, Cin·k] (c, j)
    const flatWeight = tf.reshape(weight, [outChannels, inChannels * kernel]); // [Cout, Cin·k]
    return linear(columns, flatWeight, bias, { frozen: opts.frozen ?? false }); // [B, No, Cout]
  });
}

/** Options of `conv2d`. */
export interface Conv2dOptions {
  /** Stride in both axes (default 1). */
  readonly stride?: number;
  /** Zero padding on every side (default 0 = 'valid'). */
  readonly padding?: number;
  /** Use tf.conv2d and give the kernel no gradient (frozen networks). */
  readonly frozen?: boolean;
}

/** Output side of a convolution. */
function outSize(size: number, kernel: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - kernel) / stride) + 1;
}

/**
 * 2-D convolution on NHWC x with an OIHW kernel (torch Conv2d), symmetric zero padding, equal strides; bias [Cout].
 * Returns [B, Ho, Wo, Cout].
 */
export function conv2d(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor | undefined, opts: Conv2dOptions = {}): tf.Tensor {
  if (x.rank !== 4 || weight.rank !== 4 || weight.shape[1] !== x.shape[3]) {
    throw new Error(`conv2d: need x [B, H, W, Cin] and OIHW weight [Cout, Cin, kh, kw], got x [${x.shape.join(', ')}], weight [${weight.shape.join(', ')}]`);
  }
  const stride = opts.stride ?? 1;
  const pad = opts.padding ?? 0;
  const [outChannels, inChannels, kh, kw] = weight.shape;
  const [batch, height, width] = x.shape;
  const outH = outSize(height, kh, stride, pad);
  const outW = outSize(width, kw, stride, pad);
  if (outH < 1 || outW < 1) throw new Error(`conv2d: kernel ${kh}×${kw} does not fit the padded ${height}×${width} input`);
  return tf.tidy(() => {
    if (opts.frozen) {
      const filter = tf.transpose(weight, [2, 3, 1, 0]) as tf.Tensor4D; // HWIO
      const padded = pad > 0 ? tf.pad(x, [[0, 0], [pad, pad], [pad, pad], [0, 0]]) : x;
      const y = tf.conv2d(padded as tf.Tensor4D, filter, stride, 'valid'); // [B, Ho, Wo, Cout]
      return bias === undefined ? y : tf.add(y, bias);
    }
    // pad, plus extra rows/cols so every tap window of stride·Ho rows fits
    const extraH = Math.max(0, kh - 1 + stride * outH - (height + 2 * pad));
    const extraW = Math.max(0, kw - 1 + stride * outW - (width + 2 * pad));
    const padded = tf.pad(x, [[0, 0], [pad, pad + extraH], [pad, pad + extraW], [0, 0]]);
    const taps: tf.Tensor[] = [];
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        const window = tf.slice(padded, [0, ky, kx, 0], [batch, stride * outH, stride * outW, inChannels]); // [B, s·Ho, s·Wo, C]
        if (stride === 1) {
          taps.push(window);
          continue;
        }
        const blocks = tf.reshape(window, [batch, outH, stride, outW, stride, inChannels]); // [B, Ho, s, Wo, s, C]
        const picked = tf.slice(blocks, [0, 0, 0, 0, 0, 0], [batch, outH, 1, outW, 1, inChannels]); // [B, Ho, 1, Wo, 1, C]
        taps.push(tf.reshape(picked, [batch, outH, outW, inChannels])); // [B, Ho, Wo, C]
      }
    }
    const columns = tf.reshape(tf.stack(taps, 4), [batch, outH, outW, inChannels * kh * kw]); // [B, Ho, Wo, C·kh·kw]
    const flatWeight = tf.reshape(weight, [outChannels, inChannels * kh * kw]); // [Cout, C·kh·kw]
    return linear(columns, flatWeight, bias); // [B, Ho, Wo, Cout]
  });
}
