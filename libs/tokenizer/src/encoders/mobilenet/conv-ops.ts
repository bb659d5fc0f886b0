/**
 * Convolutions of the MobileNetV2 adapter with gradients that run on every backend. The forward uses the native
 * kernels (Conv2D, DepthwiseConv2dNative); the backward is written with the same FORWARD kernels (filter gradient
 * = correlation of the input with dy under dilation = stride; input gradient = transposed convolution of the dilated
 * dy with the rotated kernel), because the wasm backend has no Conv2DBackpropFilter,
 * DepthwiseConv2dNativeBackpropFilter or DepthwiseConv2dNativeBackpropInput kernels. Each gradient is computed only
 * when the tape needs it (a frozen encoder backpropagating to its input skips every kernel gradient). Padding follows Keras MobileNetV2: stride 1 → 'same' (1 each side),
 * stride 2 → ZeroPadding2D((0, 1), (0, 1)) then 'valid' (224 px input).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp, linear } from '@vqrae/nn';

type Pad4 = Array<[number, number]>;

function kerasPadding(stride: 1 | 2): Pad4 {
  return stride === 1 ? [[0, 0], [1, 1], [1, 1], [0, 0]] : [[0, 0], [0, 1], [0, 1], [0, 0]];
}

/** Interleaves zeros for stride 2 (`[B, Ho, Wo, C]` → `[B, 2Ho−1, 2Wo−1, C]`) with rank-4 views only. */
function dilate(values: tf.Tensor4D, stride: 1 | 2): tf.Tensor4D {
  if (stride === 1) return values;
  const [b, h, w, c] = values.shape;
  const spread = tf.reshape(tf.pad(tf.reshape(values, [b * h, 1, w, c]), [[0, 0], [0, 1], [0, 0], [0, c]]), [b, 2 * h, 2 * w, c]);
  return tf.slice(spread, [0, 0, 0, 0], [b, 2 * h - 1, 2 * w - 1, c]) as tf.Tensor4D;
}

/**
 * Gradient w.r.t. the padded input of a 3×3 'valid' conv: the upstream gradient, dilated by the stride and padded
 * by 2, correlated with the 180°-rotated kernel (a transposed convolution), cropped/extended to the input size.
 */
function inputGradient(dy: tf.Tensor4D, rotatedConv: (x: tf.Tensor4D) => tf.Tensor4D, stride: 1 | 2, paddedH: number, paddedW: number): tf.Tensor4D {
  const spread = tf.pad(dilate(dy, stride), [[0, 0], [2, 2], [2, 2], [0, 0]]);
  const full = rotatedConv(spread); // [B, s(Ho−1)+3, s(Wo−1)+3, C]
  const [, h, w] = full.shape;
  return tf.pad(full, [[0, 0], [0, paddedH - h], [0, paddedW - w], [0, 0]]) as tf.Tensor4D;
}

/** The part of the padded input the 'valid' conv reads: `[B, s(Ho−1)+3, s(Wo−1)+3, C]`. */
function usedInput(x: tf.Tensor4D, stride: 1 | 2, outH: number, outW: number): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  const needH = stride * (outH - 1) + 3;
  const needW = stride * (outW - 1) + 3;
  return needH === h && needW === w ? x : (tf.slice(x, [0, 0, 0, 0], [b, needH, needW, c]) as tf.Tensor4D);
}

const depthwiseValid = (stride: 1 | 2) =>
  defineCustomOp(`depthwiseConv3x3(stride ${stride})`, 2, ([xp, kernel], save) => {
    save([xp, kernel]);
    const value = tf.depthwiseConv2d(xp as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'valid');
    const [, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const [b, paddedH, paddedW, c] = x.shape as [number, number, number, number];
        const grad = dy as tf.Tensor4D;
        // Each gradient is a thunk: a frozen kernel (or an undifferentiated input) costs nothing (custom-op.ts).
        const inputGrad = () => {
          const rotated = tf.reverse(k, [0, 1]) as tf.Tensor4D;
          return inputGradient(grad, (t) => tf.depthwiseConv2d(t, rotated, 1, 'valid'), stride, paddedH, paddedW);
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
  defineCustomOp(`conv3x3(stride ${stride})`, 2, ([xp, kernel], save) => {
    save([xp, kernel]);
    const value = tf.conv2d(xp as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'valid');
    const [, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const [, paddedH, paddedW] = x.shape as [number, number, number, number];
        const grad = dy as tf.Tensor4D;
        const inputGrad = () => {
          const rotated = tf.transpose(tf.reverse(k, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D; // [3, 3, Cout, Cin]
          return inputGradient(grad, (t) => tf.conv2d(t, rotated, 1, 'valid'), stride, paddedH, paddedW);
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
  return tf.tidy(() => OPS.depthwise[stride](tf.pad(x, kerasPadding(stride)), kernel) as tf.Tensor4D);
}

/** Keras-padded 3×3 conv: x `[B, H, W, Cin]`, kernel HWIO `[3, 3, Cin, Cout]` → `[B, H/s, W/s, Cout]`. */
export function conv3x3(x: tf.Tensor4D, kernel: tf.Tensor, stride: 1 | 2): tf.Tensor4D {
  return tf.tidy(() => OPS.conv[stride](tf.pad(x, kerasPadding(stride)), kernel) as tf.Tensor4D);
}

/**
 * 1×1 conv as a linear layer: x `[B, H, W, Cin]`, kernel `[1, 1, Cin, Cout]` → `[B, H, W, Cout]`. nn's `linear`
 * has an explicit-transpose gradient (wasm's transposed matMuls are 13-46× slower than plain ones).
 */
export function pointwiseConv(x: tf.Tensor4D, kernel: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, cin] = x.shape;
    const cout = kernel.shape[3] as number;
    const weight = tf.transpose(tf.reshape(kernel, [cin, cout])); // [Cout, Cin] (torch Linear layout)
    const y = linear(tf.reshape(x, [b * h * w, cin]), weight); // [BHW, Cout]
    return tf.reshape(y, [b, h, w, cout]) as tf.Tensor4D;
  });
}
