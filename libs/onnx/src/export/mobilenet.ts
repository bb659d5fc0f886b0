/**
 * The `mobilenetv2-imagenet-stride16` encoder (Keras MobileNetV2 cut at `block_13_expand_relu`) as ONNX nodes, same
 * math as `MobileNetV2Encoder.encode`: Keras padding (stride 1: 1 each side; stride 2: 0 before, 1 after),
 * inference batch norm kept explicit as a per-channel scale and shift computed with the tfjs ops of `forward.ts`
 * (scale = γ/√(var + ε), shift = β − mean·scale), ReLU6 as Clip(0, 6). ONNX convolutions are NCHW: the input is
 * transposed once and the cut map transposed back to tokens.
 */
import * as tf from '@tensorflow/tfjs-core';
import { MOBILENET_BN_EPSILON, mobileNetParamName, mobileNetV2Blocks, type EncoderGeometry } from '@vqrae/tokenizer';
import { int, ints } from '../builder/attributes.js';
import type { ExportContext } from './context.js';
import { normalisePixels } from './pixels.js';

type Layout = 'hwio' | 'depthwise';

/** Keras kernel `[kh, kw, I, O]` (or depthwise `[kh, kw, C, 1]`) → ONNX OIHW (depthwise: `[C, 1, kh, kw]`). */
function kernelOihw(ctx: ExportContext, keras: string, layout: Layout): string {
  const name = mobileNetParamName(keras);
  const [kh, kw, a, b] = ctx.shape(name);
  const oihw = tf.tidy(() => tf.transpose(tf.tensor4d(ctx.read(name), [kh, kw, a, b]), layout === 'hwio' ? [3, 2, 0, 1] : [2, 3, 0, 1])); // [O, I, kh, kw] / [C, 1, kh, kw]
  const values = oihw.dataSync() as Float32Array; // read outside the tidy (a tidy walks every element of a returned TypedArray)
  oihw.dispose();
  const dims = layout === 'hwio' ? [b, a, kh, kw] : [a, b, kh, kw];
  return ctx.g.weight(`${name}^OIHW`, values, dims);
}

/** Batch norm (+ optional ReLU6) on NCHW `[B, C, H, W]`. */
function batchNorm(ctx: ExportContext, x: string, layer: string, relu6: boolean): string {
  const g = ctx.g;
  const get = (w: string) => tf.tensor1d(ctx.read(mobileNetParamName(`${layer}/${w}`)));
  const [scaleT, shiftT] = tf.tidy(() => {
    const s = tf.div(get('gamma'), tf.sqrt(tf.add(get('moving_variance'), MOBILENET_BN_EPSILON))); // [C]
    return [s, tf.sub(get('beta'), tf.mul(get('moving_mean'), s))]; // [C]
  });
  const scale = scaleT.dataSync() as Float32Array;
  const shift = shiftT.dataSync() as Float32Array;
  tf.dispose([scaleT, shiftT]);
  const channels = scale.length;
  const z = g.node('Add', [
    g.node('Mul', [x, g.weight(`${mobileNetParamName(layer)}.scale`, scale, [channels, 1, 1])]),
    g.weight(`${mobileNetParamName(layer)}.shift`, shift, [channels, 1, 1]),
  ]); // [B, C, H, W]
  return relu6 ? g.node('Clip', [z, ctx.scalar(0), ctx.scalar(6)]) : z;
}

/** Keras-padded 3×3 conv (groups = C for depthwise) on NCHW. */
function conv3x3(ctx: ExportContext, x: string, keras: string, stride: 1 | 2, groups: number | undefined): string {
  const pads = stride === 1 ? [1, 1, 1, 1] : [0, 0, 1, 1]; // [top, left, bottom, right]
  const kernel = kernelOihw(ctx, keras, groups === undefined ? 'hwio' : 'depthwise');
  return ctx.g.node('Conv', [x, kernel], {
    kernel_shape: ints([3, 3]),
    strides: ints([stride, stride]),
    pads: ints(pads),
    group: int(groups ?? 1),
  });
}

function pointwise(ctx: ExportContext, x: string, keras: string): string {
  return ctx.g.node('Conv', [x, kernelOihw(ctx, keras, 'hwio')], { kernel_shape: ints([1, 1]) });
}

/** pixel01 NHWC `[B, 224, 224, 3]` → tokens `[B, 196, 576]` (block_13_expand_relu, row-major grid). */
export function mobileNetV2Encoder(ctx: ExportContext, pixels: string, geometry: EncoderGeometry): string {
  const g = ctx.g;
  const x = g.node('Transpose', [normalisePixels(ctx, pixels, geometry)], { perm: ints([0, 3, 1, 2]) }); // [B, 3, 224, 224]
  let h = batchNorm(ctx, conv3x3(ctx, x, 'Conv1/kernel', 2, undefined), 'bn_Conv1', true); // [B, 32, 112, 112]
  h = batchNorm(ctx, conv3x3(ctx, h, 'expanded_conv_depthwise/depthwise_kernel', 1, 32), 'expanded_conv_depthwise_BN', true);
  h = batchNorm(ctx, pointwise(ctx, h, 'expanded_conv_project/kernel'), 'expanded_conv_project_BN', false); // [B, 16, 112, 112]
  let cut = '';
  for (const block of mobileNetV2Blocks()) {
    const b = `block_${block.index}`;
    const expanded = batchNorm(ctx, pointwise(ctx, h, `${b}_expand/kernel`), `${b}_expand_BN`, true); // [B, 6·Cin, s, s]
    if (!block.complete) {
      cut = expanded;
      break;
    }
    const depthwise = batchNorm(ctx, conv3x3(ctx, expanded, `${b}_depthwise/depthwise_kernel`, block.stride, block.expandChannels), `${b}_depthwise_BN`, true);
    const projected = batchNorm(ctx, pointwise(ctx, depthwise, `${b}_project/kernel`), `${b}_project_BN`, false); // [B, Cout, s', s']
    h = block.residual ? g.node('Add', [h, projected]) : projected;
  }
  const grid = geometry.gridSize;
  const nhwc = g.node('Transpose', [cut], { perm: ints([0, 2, 3, 1]) }); // [B, 14, 14, 576]
  return g.node('Reshape', [nhwc, g.int64([-1, grid * grid, geometry.width])]); // [B, 196, 576]
}
