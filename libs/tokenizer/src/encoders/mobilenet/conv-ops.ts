/**
 * Convolutions of the MobileNetV2 adapter with gradients that run on every backend. The forward uses the native
 * kernels (Conv2D, DepthwiseConv2dNative); the backward is written with the same FORWARD kernels (filter gradient
 * = correlation of the input with dy under dilation = stride; input gradient = transposed convolution of the dilated
 * dy with the rotated kernel), because the wasm backend has no Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter or DepthwiseConv2dNativeBackpropInput kernels. Each gradient is computed only
 * when the tape needs it (a frozen encoder backpropagating to its input skips every kernel gradient). Padding follows
 * Keras MobileNetV2: stride 1 → 'same' (1 each side), stride 2 → ZeroPadding2D((0, 1), (0, 1)) then 'valid' (224 px
 * input). The padding happens INSIDE each op, so the backward keeps one copy of the unpadded input (the tape clones
 * every saved tensor, a full copy on wasm) instead of one for tf.pad's gradient plus one of the padded input.
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp } from '@vqrae/nn';

type Pad4 = Array<[number, number]>;

function kerasPadding(stride: 1 | 2): Pad4 {
  return stride === 1 ? [[0, 0], [1, 1], [1, 1], [0, 0]] : [[0, 0], [0, 1], [0, 1], [0, 0]];
}

/**
 * The upstream gradient of a 3×3 'valid' conv, dilated by the stride and padded by 2 on each side:
 * `[B, Ho, Wo, C]` → `[B, s(Ho−1)+5, s(Wo−1)+5, C]`. For stride 2 the zeros are interleaved with rank-4 views: the
 * contiguous spread `[B, 2Ho, 2Wo, C]` (dy at even positions) already ends with one zero row/column, so it is padded
 * by [2, 1]: the same values as slicing it to 2Ho−1 and padding by [2, 2], without wasm's slow strided Slice.
 */
export function dilatedPaddedGradient(dy: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  if (stride === 1) return tf.pad(dy, [[0, 0], [2, 2], [2, 2], [0, 0]]);
  const [b, h, w, c] = dy.shape;
  const rows = tf.pad(tf.reshape(dy, [b * h, 1, w, c]), [[0, 0], [0, 1], [0, 0], [0, c]]); // [B·Ho, 2, Wo, 2C]
  const spread = tf.reshape(rows, [b, 2 * h, 2 * w, c]) as tf.Tensor4D; // [B, 2Ho, 2Wo, C]
  return tf.pad(spread, [[0, 0], [2, 1], [2, 1], [0, 0]]);
}

/**
 * Gradient w.r.t. the UNPADDED input `[B, H, W, C]` of a Keras-padded 3×3 conv: the dilated, padded upstream gradient
 * correlated with the 180°-rotated kernel (a transposed convolution) is the gradient w.r.t. the first s(Ho−1)+3
 * rows/columns of the padded input (the rest is 0); the input's region is cut out of it, as tf.pad's gradient does.
 */
function inputGradient(dy: tf.Tensor4D, rotatedConv: (x: tf.Tensor4D) => tf.Tensor4D, stride: 1 | 2, inputShape: number[]): tf.Tensor4D {
  const [b, h, w, c] = inputShape;
  const [, [top, bottom], [left, right]] = kerasPadding(stride);
  let full = rotatedConv(dilatedPaddedGradient(dy, stride)); // [B, s(Ho−1)+3, s(Wo−1)+3, C], padded coordinates
  const [, fullH, fullW] = full.shape;
  if (fullH < top + h || fullW < left + w) full = tf.pad(full, [[0, 0], [0, top + h + bottom - fullH], [0, left + w + right - fullW], [0, 0]]);
  return tf.slice(full, [0, top, left, 0], [b, h, w, c]); // [B, H, W, C]
}

/** The part of the Keras-padded input `x` the 'valid' conv reads: `[B, s(Ho−1)+3, s(Wo−1)+3, C]`. */
function usedInput(unpadded: tf.Tensor4D, stride: 1 | 2, outH: number, outW: number): tf.Tensor4D {
  const x = tf.pad(unpadded, kerasPadding(stride));
  const [b, h, w, c] = x.shape;
  const needH = stride * (outH - 1) + 3;
  const needW = stride * (outW - 1) + 3;
  return needH === h && needW === w ? x : (tf.slice(x, [0, 0, 0, 0], [b, needH, needW, c]) as tf.Tensor4D);
}

const depthwiseValid = (stride: 1 | 2) =>
  defineCustomOp(`depthwiseConv3x3(stride ${stride})`, 2, ([input, kernel], save) => {
    save([input, kernel]);
    const value = tf.depthwiseConv2d(tf.pad(input as tf.Tensor4D, kerasPadding(stride)), kernel as tf.Tensor4D, stride, 'valid');
    const [, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const [b, , , c] = x.shape;
        const grad = dy as tf.Tensor4D;
        // Each gradient is a thunk: a frozen kernel (or an undifferentiated input) costs nothing (custom-op.ts).
        const inputGrad = () => {
          const rotated = tf.reverse(k, [0, 1]) as tf.Tensor4D;
          return inputGradient(grad, (t) => tf.depthwiseConv2d(t, rotated, 1, 'valid'), stride, x.shape);
        };
        // dW[kh, kw, c] = Σ_{b,i,j} x[b, s·i+kh, s·j+kw, c]·dy[b, i, j, c]: a depthwise correlation of the input with dy
        // as the filter (dilation = stride); the batch is folded into channels, then summed.
        const kernelGrad = () => {
          const xFolded = tf.reshape(tf.transpose(usedInput(x as tf.Tensor4D, stride, outH, outW), [1, 2, 0, 3]), [1, stride * (outH - 1) + 3, stride * (outW - 1) + 3, b * c]); // [1, H', W', B·C]
          const dyFolded = tf.reshape(tf.transpose(grad, [1, 2, 0, 3]), [outH, outW, b * c, 1]) as tf.Tensor4D; // [Ho, Wo, B·C, 1]
          const perImage = tf.depthwiseConv2d(xFolded as tf.Tensor4D, dyFolded, 1, 'valid', 'NHWC', stride); // [1, 3, 3, B·C]
          return tf.reshape(tf.sum(tf.reshape(perImage, [3, 3, b, c]), 2), [3, 3, c, 1]); // [3, 3, C, 1]
        };
        return [inputGrad, kernelGrad];
      },
    };
  });

const conv3x3Valid = (stride: 1 | 2) =>
  defineCustomOp(`conv3x3(stride ${stride})`, 2, ([input, kernel], save) => {
    save([input, kernel]);
    const value = tf.conv2d(tf.pad(input as tf.Tensor4D, kerasPadding(stride)), kernel as tf.Tensor4D, stride, 'valid');
    const [, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const grad = dy as tf.Tensor4D;
        const inputGrad = () => {
          const rotated = tf.transpose(tf.reverse(k, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [3, 3, Cout, Cin]
          return inputGradient(grad, (t) => tf.conv2d(t, rotated, 1, 'valid'), stride, x.shape);
        };
        // dW[kh, kw, ci, co] = Σ x[b, s·i+kh, s·j+kw, ci]·dy[b, i, j, co]: input channels as batch, images as
        // channels, dy as the filter (dilation = stride) → [Cin, 3, 3, Cout]
        const kernelGrad = () => {
          const xT = tf.transpose(usedInput(x as tf.Tensor4D, stride, outH, outW), [3, 1, 2, 0]) as tf.Tensor4D; // [Cin, H, W, B]
          const dyT = tf.transpose(grad, [1, 2, 0, 3]) as tf.Tensor4D; // [Ho, Wo, B, Cout]
          return tf.transpose(tf.conv2d(xT, dyT, 1, 'valid', 'NHWC', stride), [1, 2, 0, 3]); // [3, 3, Cin, Cout]
        };
        return [inputGrad, kernelGrad];
      },
    };
  });

const OPS = {
  depthwise: { 1: depthwiseValid(1), 2: depthwiseValid(2) },
  conv: { 1: conv3x3Valid(1), 2: conv3x3Valid(2) },
};

/** Keras-padded 3×3 depthwise conv: x `[B, H, W, C]`, kernel `[3, 3, C, 1]` → `[B, H/s, W/s, C]`. */
export function depthwiseConv3x3(x: tf.Tensor4D, kernel: tf.Tensor, stride: 1 | 2): tf.Tensor4D {
  return OPS.depthwise[stride](x, kernel) as tf.Tensor4D;
}

/** Keras-padded 3×3 conv: x `[B, H, W, Cin]`, kernel HWIO `[3, 3, Cin, Cout]` → `[B, H/s, W/s, Cout]`. */
export function conv3x3(x: tf.Tensor4D, kernel: tf.Tensor, stride: 1 | 2): tf.Tensor4D {
  return OPS.conv[stride](x, kernel) as tf.Tensor4D;
}

/**
 * 1×1 conv as ONE op of plain 2-D matMuls (wasm's transposed matMuls are 13-46× slower than plain ones, so the
 * gradients transpose explicitly, as nn's `linear` does): y = x·K, dx = dy·Kᵀ, dK = (dyᵀ·x)ᵀ with x `[B·H·W, Cin]`,
 * K `[Cin, Cout]`. As one op the backward keeps one copy of x, where reshape → linear → reshape kept three.
 */
const pointwiseOp = defineCustomOp('pointwiseConv', 2, ([input, kernel], save) => {
  save([input, kernel]);
  const [b, h, w, cin] = input.shape;
  const cout = kernel.shape[3] as number;
  const rows = (t: tf.Tensor, channels: number) => tf.reshape(t, [b * h * w, channels]); // [B, H, W, C] → [B·H·W, C]
  const y = tf.matMul(rows(input, cin), tf.reshape(kernel, [cin, cout])); // [B·H·W, Cout]
  return {
    value: tf.reshape(y, [b, h, w, cout]),
    gradFunc: (dy, [x, k]) => [
      () => tf.reshape(tf.matMul(rows(dy, cout), tf.transpose(tf.reshape(k, [cin, cout]))), [b, h, w, cin]), // [B, H, W, Cin]
      () => tf.reshape(tf.transpose(tf.matMul(tf.transpose(rows(dy, cout)), rows(x, cin))), [1, 1, cin, cout]), // [1, 1, Cin, Cout]
    ],
  };
});

/** 1×1 conv: x `[B, H, W, Cin]`, kernel `[1, 1, Cin, Cout]` → `[B, H, W, Cout]` (caller owns). */
export function pointwiseConv(x: tf.Tensor4D, kernel: tf.Tensor): tf.Tensor4D {
  return pointwiseOp(x, kernel) as tf.Tensor4D;
}
