/**
 * `mobilenetv2-imagenet-stride16`: the MobileNetV2 shipped inside the `nsfwjs` package, cut at
 * `block_13_expand_relu`, as a token grid `[B, 196, 576]` at 224 px. Honest naming: this is an ImageNet-initialised
 * CNN (fine-tuned by nsfwjs for its classifier), not SigLIP; it exists so the toolkit runs on a pretrained semantic
 * encoder without any download.
 *
 * Frozen by default. In stage 2 the conv kernels and batch-norm affine parameters train; batch-norm moving
 * statistics stay fixed (inference-mode BN). Convolutions (`conv-ops.ts`) and the fused BN + ReLU6 (`batch-norm.ts`)
 * have explicit gradients built from forward kernels and plain matMuls, so fine-tuning also runs on wasm, which lacks
 * the conv filter-gradient kernels, and each op keeps a single copy of its input for the backward pass.
 * `features` exposes intermediate Keras layer outputs as token maps (`forward.ts` is the one forward walk).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type ParamStore, checkShapes } from '@vqrae/nn';
import type { EncoderGeometry, MobileNetV2EncoderConfig } from '../../config/types.js';
import { encoderGeometry } from '../../config/types.js';
import { FINAL_TAP, checkTapNames, takeTaps } from '../feature-taps.js';
import type { FeatureTap, FeatureUse, ImageEncoder } from '../image-encoder.js';
import { checkImageBatch, normalisePixels } from '../pixels.js';
import { CUT_LAYER, mobileNetV2LayerNames, mobileNetV2TapMaps, mobileNetV2WeightShapes } from './architecture.js';
import { mobileNetV2Maps } from './forward.js';
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
    return this.forward(store, images, [FINAL_TAP], 'MobileNetV2Encoder.encode')[0];
  }

  /**
   * Keras layer outputs along the path to the cut (`mobileNetV2TapMaps`: ReLU6 outputs, projection BNs, residual
   * adds; e.g. `block_2_add` 56×56×24, `block_5_add` 28×28×32, `block_12_add` 14×14×96, `block_13_expand_relu`
   * 14×14×576), then `final` (alias of the cut layer). Tokens = H·W.
   */
  featureTaps(): readonly FeatureTap[] {
    const maps = mobileNetV2TapMaps(this.geometry.imageSize).map((m) => ({ name: m.name, tokens: m.side ** 2, channels: m.channels }));
    const cut = maps[maps.length - 1];
    return [...maps, { ...cut, name: FINAL_TAP }];
  }

  /**
   * Both uses: `block_5_add` (stride 8, 784 × 32), `block_12_add` (stride 16, 196 × 96), `block_13_expand_relu`
   * (the cut = `final`, 196 × 576): three depths of the stride-8/16 part of the network. The stride-2/4 maps
   * (12,544 and 3,136 tokens) are left out: a loss on them costs 4–16× the per-token work of the others at batch 8 on
   * a CPU, and they mostly measure low-level texture that the pixel loss already covers. The discriminator's 'final'
   * IS `block_13_expand_relu`, so it is not listed twice.
   */
  defaultTaps(_use: FeatureUse): readonly string[] {
    return MOBILENET_DEFAULT_TAPS;
  }

  /** Keras layer outputs as tokens `[B, H·W, C]` per tap (see `ImageEncoder.features`); stops at the deepest tap. */
  features(store: ParamStore, images: tf.Tensor4D, taps: readonly string[]): tf.Tensor3D[] {
    checkTapNames('MobileNetV2Encoder.features', this.featureTaps(), taps);
    return this.forward(store, images, taps, 'MobileNetV2Encoder.features');
  }

  private forward(store: ParamStore, images: tf.Tensor4D, taps: readonly string[], where: string): tf.Tensor3D[] {
    checkImageBatch(images, 224, where);
    return tf.tidy(() => {
      const x = normalisePixels(images, this.geometry); // [B, 224, 224, 3]
      const maps = mobileNetV2Maps((name) => store.get(mobileNetParamName(name)), x, new Set(taps.map(cutAlias)));
      const tokens = new Map<string, tf.Tensor3D>();
      for (const [name, map] of maps) {
        const [b, h, w, c] = map.shape;
        tokens.set(name, tf.reshape(map, [b, h * w, c]) as tf.Tensor3D); // [B, H, W, C] → [B, H·W, C] (row-major)
      }
      return takeTaps(taps, tokens, cutAlias, where);
    });
  }
}

/** Default taps of both uses (see `MobileNetV2Encoder.defaultTaps`). */
const MOBILENET_DEFAULT_TAPS: readonly string[] = Object.freeze(['block_5_add', 'block_12_add', CUT_LAYER]);

/** `final` → the cut layer's name; other taps unchanged. */
function cutAlias(name: string): string {
  return name === FINAL_TAP ? CUT_LAYER : name;
}
