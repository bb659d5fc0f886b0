/**
 * `mobilenetv2-imagenet-stride16`: the MobileNetV2 shipped inside the `nsfwjs` package, cut at
 * `block_13_expand_relu`, as a token grid `[B, 196, 576]` at 224 px. Honest naming: this is an ImageNet-initialised
 * CNN (fine-tuned by nsfwjs for its classifier), not SigLIP; it exists so the toolkit runs on a pretrained semantic
 * encoder without any download.
 *
 * Frozen by default. In stage 2 the conv kernels and batch-norm affine parameters train; batch-norm moving
 * statistics stay fixed (inference-mode BN). 3×3 convolutions use custom gradients built from slices and plain
 * matMuls (`conv-ops.ts`), so fine-tuning also runs on wasm, which lacks the conv filter-gradient kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, checkShapes } from '@vqrae/nn';
import type { EncoderGeometry, MobileNetV2EncoderConfig } from '../../config/types.js';
import { encoderGeometry } from '../../config/types.js';
import type { ImageEncoder } from '../image-encoder.js';
import { checkImageBatch, normalisePixels } from '../pixels.js';
import { BN_EPSILON, mobileNetV2Blocks, mobileNetV2LayerNames, mobileNetV2WeightShapes } from './architecture.js';
import { conv3x3, depthwiseConv3x3, pointwiseConv } from './conv-ops.js';
import type { PackagedMobileNetV2 } from './packaged-weights.js';

/** Key prefix of the adapter's parameters in the model store and in checkpoints that embed them. */
export const MOBILENET_PREFIX = 'encoder.mobilenetv2.';

/** Store name of a Keras weight name (`block_1_expand/kernel` → `encoder.mobilenetv2.block_1_expand.kernel`). */
export function mobileNetParamName(kerasName: string): string {
  return MOBILENET_PREFIX + kerasName.replace('/', '.');
}

/** The adapter bound to its config; weights are read from the store at every call. */
export class MobileNetV2Encoder implements ImageEncoder {
  readonly geometry: EncoderGeometry;
  readonly paramPrefix = MOBILENET_PREFIX;

  constructor(readonly config: MobileNetV2EncoderConfig) {
    this.geometry = encoderGeometry(config);
  }

  paramShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, shape] of Object.entries(mobileNetV2WeightShapes())) out[mobileNetParamName(name)] = shape;
    return out;
  }

  /** Conv kernels and BN gamma/beta may train; BN moving statistics never do. */
  isTrainableParam(name: string): boolean {
    return name.startsWith(MOBILENET_PREFIX) && !name.endsWith('.moving_mean') && !name.endsWith('.moving_variance');
  }

  /**
   * Copies the weights the cut model uses from a decoded packaged model into `store` (frozen), after checking the
   * topology (layer names in order) and the weight shapes. The caller keeps ownership of `packaged`.
   */
  addWeights(store: ParamStore, tensors: PackagedMobileNetV2['tensors'], layers?: PackagedMobileNetV2['layers']): void {
    if (layers !== undefined) {
      const expected = mobileNetV2LayerNames();
      const actual = layers.slice(0, expected.length).map((layer) => layer.name);
      const first = expected.findIndex((name, i) => actual[i] !== name);
      if (first >= 0) throw new Error(`MobileNetV2Encoder: packaged topology differs at layer ${first}: expected '${expected[first]}', got '${actual[first]}'`);
    }
    const expectedShapes = mobileNetV2WeightShapes();
    const actualShapes: Record<string, number[]> = {};
    for (const name of Object.keys(expectedShapes)) if (name in tensors) actualShapes[name] = tensors[name].shape;
    checkShapes(expectedShapes, actualShapes, 'MobileNetV2Encoder.addWeights (packaged nsfwjs MobileNetV2)');
    for (const name of Object.keys(expectedShapes)) store.add(mobileNetParamName(name), tf.clone(tensors[name]), { trainable: false });
  }

  /** pixel01 `[B, 224, 224, 3]` → `[B, 196, 576]` (block_13_expand_relu, row-major grid). */
  encode(store: ParamStore, images: tf.Tensor4D): tf.Tensor3D {
    checkImageBatch(images, 224, 'MobileNetV2Encoder.encode');
    return tf.tidy(() => {
      const w = (name: string) => store.get(mobileNetParamName(name));
      const bnRelu6 = (x: tf.Tensor4D, layer: string, relu: boolean): tf.Tensor4D => {
        const scale = tf.div(w(`${layer}/gamma`), tf.sqrt(tf.add(w(`${layer}/moving_variance`), BN_EPSILON))); // [C]
        const shift = tf.sub(w(`${layer}/beta`), tf.mul(w(`${layer}/moving_mean`), scale)); // [C]
        const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
        return relu ? (tf.clipByValue(y, 0, 6) as tf.Tensor4D) : y;
      };
      const x = normalisePixels(images, this.geometry); // [B, 224, 224, 3]
      let h = conv3x3(x, w('Conv1/kernel'), 2); // [B, 112, 112, 32]
      h = bnRelu6(h, 'bn_Conv1', true);
      h = bnRelu6(depthwiseConv3x3(h, w('expanded_conv_depthwise/depthwise_kernel'), 1), 'expanded_conv_depthwise_BN', true);
      h = bnRelu6(pointwiseConv(h, w('expanded_conv_project/kernel')), 'expanded_conv_project_BN', false); // [B, 112, 112, 16]
      for (const block of mobileNetV2Blocks()) {
        const name = `block_${block.index}`;
        const expanded = bnRelu6(pointwiseConv(h, w(`${name}_expand/kernel`)), `${name}_expand_BN`, true);
        if (!block.complete) {
          const [b, gh, gw, c] = expanded.shape; // [B, 14, 14, 576]
          return tf.reshape(expanded, [b, gh * gw, c]) as tf.Tensor3D; // [B, 196, 576]
        }
        let y = bnRelu6(depthwiseConv3x3(expanded, w(`${name}_depthwise/depthwise_kernel`), block.stride), `${name}_depthwise_BN`, true);
        y = bnRelu6(pointwiseConv(y, w(`${name}_project/kernel`)), `${name}_project_BN`, false);
        h = block.residual ? (tf.add(h, y) as tf.Tensor4D) : y;
      }
      throw new Error('MobileNetV2Encoder.encode: the cut layer was not reached');
    });
  }
}
