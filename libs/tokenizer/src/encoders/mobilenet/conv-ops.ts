/**
 * Convolutions of the MobileNetV2 adapter with gradients that run on every backend. The forward uses the native
 * kernels (Conv2D, DepthwiseConv2dNative); the backward is written with strided slices, pads and plain 2-D matMuls,
 * because the wasm backend has no Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter or
 * DepthwiseConv2dNativeBackpropInput kernels. Padding follows Keras MobileNetV2: stride 1 → 'same' (1 each side),
 * stride 2 → ZeroPadding2D((0, 1), (0, 1)) then 'valid' (224 px input).
 */
import * as tf from '@tensorflow/tfjs-core';
import { defineCustomOp, linear } from '@vqrae/nn';

type Pad4 = Array<[number, number]>;

function kerasPadding(stride: 1 | 2): Pad4 {
  return stride === 1 ? [[0, 0], [1, 1], [1, 1], [0, 0]] : [[0, 0], [0, 1], [0, 1], [0, 0]];
}

/** The input values tap (kh, kw) multiplies: `[B, Ho, Wo, C]` from the padded input. */
function tap(xp: tf.Tensor4D, kh: number, kw: number, stride: number, outH: number, outW: number): tf.Tensor4D {
  const [b, , , c] = xp.shape;
  const end = [b, kh + stride * (outH - 1) + 1, kw + stride * (outW - 1) + 1, c];
  return tf.stridedSlice(xp, [0, kh, kw, 0], end, [1, stride, stride, 1]) as tf.Tensor4D;
}

/** Spreads `[B, Ho, Wo, C]` onto the padded-input grid at tap (kh, kw): zeros between strided positions. */
function place(values: tf.Tensor4D, kh: number, kw: number, stride: number, paddedH: number, paddedW: number): tf.Tensor4D {
  let v: tf.Tensor4D = values;
  const [b, h, w, c] = v.shape;
  if (stride === 2) {
    // interleave zeros along W then H: [B, H, W, C] → [B, H, 2W−1, C] → [B, 2H−1, 2W−1, C]
    v = tf.slice(tf.reshape(tf.stack([v, tf.zerosLike(v)], 3), [b, h, 2 * w, c]), [0, 0, 0, 0], [b, h, 2 * w - 1, c]) as tf.Tensor4D;
    v = tf.slice(tf.reshape(tf.stack([v, tf.zerosLike(v)], 2), [b, 2 * h, 2 * w - 1, c]), [0, 0, 0, 0], [b, 2 * h - 1, 2 * w - 1, c]) as tf.Tensor4D;
  }
  const [, dh, dw] = v.shape;
  return tf.pad(v, [[0, 0], [kh, paddedH - kh - dh], [kw, paddedW - kw - dw], [0, 0]]) as tf.Tensor4D;
}

const depthwiseValid = (stride: 1 | 2) =>
  defineCustomOp(`depthwiseConv3x3(stride ${stride})`, 2, ([xp, kernel], save) => {
    save([xp, kernel]);
    const value = tf.depthwiseConv2d(xp as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'valid');
    const [, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const [, paddedH, paddedW, c] = x.shape as [number, number, number, number];
        const grad = dy as tf.Tensor4D;
        const kernelGrads: tf.Tensor[] = [];
        const inputParts: tf.Tensor4D[] = [];
        for (let kh = 0; kh < 3; kh++) {
          for (let kw = 0; kw < 3; kw++) {
            kernelGrads.push(tf.sum(tf.mul(tap(x as tf.Tensor4D, kh, kw, stride, outH, outW), grad), [0, 1, 2])); // [C]
            const weight = tf.reshape(tf.slice(k, [kh, kw, 0, 0], [1, 1, c, 1]), [c]); // [C]
            inputParts.push(place(tf.mul(grad, weight) as tf.Tensor4D, kh, kw, stride, paddedH, paddedW));
          }
        }
        return [tf.addN(inputParts), tf.reshape(tf.stack(kernelGrads), [3, 3, c, 1])];
      },
    };
  });

const conv3x3Valid = (stride: 1 | 2) =>
  defineCustomOp(`conv3x3(stride ${stride})`, 2, ([xp, kernel], save) => {
    save([xp, kernel]);
    const value = tf.conv2d(xp as tf.Tensor4D, kernel as tf.Tensor4D, stride, 'valid');
    const [b, outH, outW] = value.shape;
    return {
      value,
      gradFunc: (dy, [x, k]) => {
        const [, paddedH, paddedW, cin] = x.shape as [number, number, number, number];
        const cout = k.shape[3] as number;
        const rows = b * outH * outW;
        const grad2d = tf.reshape(dy, [rows, cout]); // [M, Cout]
        const kernelGrads: tf.Tensor[] = [];
        const inputParts: tf.Tensor4D[] = [];
        for (let kh = 0; kh < 3; kh++) {
          for (let kw = 0; kw < 3; kw++) {
            const taps2d = tf.reshape(tap(x as tf.Tensor4D, kh, kw, stride, outH, outW), [rows, cin]); // [M, Cin]
            kernelGrads.push(tf.matMul(tf.transpose(taps2d), grad2d)); // [Cin, Cout]
            const weightT = tf.transpose(tf.reshape(tf.slice(k, [kh, kw, 0, 0], [1, 1, cin, cout]), [cin, cout])); // [Cout, Cin]
            const spread = tf.reshape(tf.matMul(grad2d, weightT), [b, outH, outW, cin]) as tf.Tensor4D;
            inputParts.push(place(spread, kh, kw, stride, paddedH, paddedW));
          }
        }
        return [tf.addN(inputParts), tf.reshape(tf.stack(kernelGrads), [3, 3, cin, cout])];
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
