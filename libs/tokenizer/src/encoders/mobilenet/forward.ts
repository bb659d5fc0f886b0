/**
 * The one forward walk of the cut MobileNetV2 (inference-mode batch norm, Keras padding), shared by `encode` and
 * `features`: it collects the outputs of the requested Keras layers (see `mobileNetV2TapMaps`) and stops as soon as
 * the last of them is computed, so a shallow tap never pays for the deeper blocks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BN_EPSILON, mobileNetV2Blocks } from './architecture.js';
import { batchNormRelu6 } from './batch-norm.js';
import { conv3x3, depthwiseConv3x3, pointwiseConv } from './conv-ops.js';

/** Reads a weight by its Keras name (`block_1_expand/kernel`). */
export type KerasWeight = (kerasName: string) => tf.Tensor;

/**
 * Normalised input `[B, 224, 224, 3]` → Keras layer name → output `[B, H, W, C]` for every name in `wanted`
 * (names must come from `mobileNetV2TapMaps`). Call inside a tidy: the returned maps are intermediates of it.
 */
export function mobileNetV2Maps(weight: KerasWeight, x: tf.Tensor4D, wanted: ReadonlySet<string>): Map<string, tf.Tensor4D> {
  const maps = new Map<string, tf.Tensor4D>();
  /** Records `value` if wanted; true once every wanted map is there (the walk then stops). */
  const reached = (name: string, value: tf.Tensor4D): boolean => {
    if (wanted.has(name)) maps.set(name, value);
    return maps.size === wanted.size;
  };
  const bnRelu6 = (input: tf.Tensor4D, layer: string, relu: boolean): tf.Tensor4D => {
    const scale = tf.div(weight(`${layer}/gamma`), tf.sqrt(tf.add(weight(`${layer}/moving_variance`), BN_EPSILON))); // [C]
    const shift = tf.sub(weight(`${layer}/beta`), tf.mul(weight(`${layer}/moving_mean`), scale)); // [C]
    return batchNormRelu6(input, scale, shift, relu);
  };
  if (wanted.size === 0) return maps;
  let h = bnRelu6(conv3x3(x, weight('Conv1/kernel'), 2), 'bn_Conv1', true); // [B, 112, 112, 32]
  if (reached('Conv1_relu', h)) return maps;
  h = bnRelu6(depthwiseConv3x3(h, weight('expanded_conv_depthwise/depthwise_kernel'), 1), 'expanded_conv_depthwise_BN', true);
  if (reached('expanded_conv_depthwise_relu', h)) return maps;
  h = bnRelu6(pointwiseConv(h, weight('expanded_conv_project/kernel')), 'expanded_conv_project_BN', false); // [B, 112, 112, 16]
  if (reached('expanded_conv_project_BN', h)) return maps;
  for (const block of mobileNetV2Blocks()) {
    const b = `block_${block.index}`;
    const expanded = bnRelu6(pointwiseConv(h, weight(`${b}_expand/kernel`)), `${b}_expand_BN`, true); // [B, s, s, 6·Cin]
    if (reached(`${b}_expand_relu`, expanded) || !block.complete) break;
    const depthwise = bnRelu6(depthwiseConv3x3(expanded, weight(`${b}_depthwise/depthwise_kernel`), block.stride), `${b}_depthwise_BN`, true);
    if (reached(`${b}_depthwise_relu`, depthwise)) break;
    const projected = bnRelu6(pointwiseConv(depthwise, weight(`${b}_project/kernel`)), `${b}_project_BN`, false); // [B, s/stride, s/stride, Cout]
    if (reached(`${b}_project_BN`, projected)) break;
    h = block.residual ? (tf.add(h, projected) as tf.Tensor4D) : projected;
    if (block.residual && reached(`${b}_add`, h)) break;
  }
  const missing = [...wanted].filter((name) => !maps.has(name));
  if (missing.length > 0) throw new Error(`mobileNetV2Maps: layer(s) ${missing.join(', ')} are not on the path to the cut`);
  return maps;
}
