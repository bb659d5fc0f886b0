/**
 * Fixed-resolution SigLIP ViT vision tower (spec §3.4): conv patch embedding (as patchify + matmul), learned
 * position table, pre-LN blocks with tanh-GELU MLPs, post-LN (affine configurable). Weights live in a ParamStore
 * under HF key names (`vision_model.*`).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type ParamStore,
  type Rng,
  layerNorm,
  lecunNormalInit,
  mlp,
  multiHeadAttention,
  normalInit,
  onesInit,
  patchEmbed,
  xavierUniformInit,
  zerosInit,
} from '@vqrae/nn';
import type { EncoderGeometry, SiglipEncoderConfig } from '../config/types.js';
import { encoderGeometry } from '../config/types.js';
import type { ImageEncoder } from './image-encoder.js';
import { checkImageBatch, normalisePixels } from './pixels.js';
import { SIGLIP_PREFIX, siglipLayerKeys, siglipParamShapes, siglipStemKeys } from './siglip-keys.js';

/** SigLIP tower bound to its config; parameters are read from the store passed to `encode`. */
export class SiglipEncoder implements ImageEncoder {
  readonly geometry: EncoderGeometry;

  constructor(
    readonly config: SiglipEncoderConfig,
    readonly paramPrefix: string = SIGLIP_PREFIX,
  ) {
    this.geometry = encoderGeometry(config);
  }

  /** Expected parameter shapes (strict loading and checkpoint validation). */
  paramShapes(): Record<string, number[]> {
    return siglipParamShapes(this.config, this.paramPrefix);
  }

  /** Every SigLIP parameter may be fine-tuned in stage 2, except an unused post-LN affine (postLnAffine false). */
  isTrainableParam(name: string): boolean {
    if (!this.config.postLnAffine && name.startsWith(`${this.paramPrefix}post_layernorm.`)) return false;
    return name.startsWith(this.paramPrefix);
  }

  /**
   * Adds randomly initialised parameters to `store` following HF `_init_weights` (spec §3.8): position normal(1/√d),
   * attention Xavier-uniform with zero bias, MLP Xavier-uniform with normal(1e-6) bias, patch conv LeCun normal,
   * LayerNorm 1/0.
   */
  initParams(store: ParamStore, rng: Rng, opts: { trainable: boolean }): void {
    const c = this.config;
    const d = c.hiddenSize;
    const shapes = this.paramShapes();
    const stem = siglipStemKeys(this.paramPrefix);
    const add = (name: string, value: tf.Tensor) => store.add(name, value, { trainable: opts.trainable });
    add(stem.patchWeight, lecunNormalInit(rng.fork(stem.patchWeight), shapes[stem.patchWeight], c.numChannels * c.patchSize ** 2));
    add(stem.patchBias, zerosInit([d]));
    add(stem.position, normalInit(rng.fork(stem.position), shapes[stem.position], 1 / Math.sqrt(d)));
    for (let l = 0; l < c.numLayers; l++) {
      const k = siglipLayerKeys(l, this.paramPrefix);
      add(k.norm1.weight, onesInit([d]));
      add(k.norm1.bias, zerosInit([d]));
      for (const proj of [k.q, k.k, k.v, k.o]) {
        add(proj.weight, xavierUniformInit(rng.fork(proj.weight), [d, d]));
        add(proj.bias, zerosInit([d]));
      }
      add(k.norm2.weight, onesInit([d]));
      add(k.norm2.bias, zerosInit([d]));
      add(k.fc1.weight, xavierUniformInit(rng.fork(k.fc1.weight), shapes[k.fc1.weight]));
      add(k.fc1.bias, normalInit(rng.fork(k.fc1.bias), [c.intermediateSize], 1e-6));
      add(k.fc2.weight, xavierUniformInit(rng.fork(k.fc2.weight), shapes[k.fc2.weight]));
      add(k.fc2.bias, normalInit(rng.fork(k.fc2.bias), [d], 1e-6));
    }
    add(stem.postNorm.weight, onesInit([d]));
    add(stem.postNorm.bias, zerosInit([d]));
  }

  /**
   * pixel01 NHWC `[B, H, W, 3]` → Z_I `[B, N, d]` (post-LN). The caller owns the input and the result; no other
   * tensor outlives the call.
   */
  encode(store: ParamStore, images: tf.Tensor4D): tf.Tensor3D {
    checkImageBatch(images, this.geometry.imageSize, 'SiglipEncoder.encode');
    return tf.tidy(() => {
      const c = this.config;
      const stem = siglipStemKeys(this.paramPrefix);
      const pm1 = normalisePixels(images, this.geometry); // [B, H, W, 3]
      const patches = patchEmbed(pm1, store.get(stem.patchWeight), store.get(stem.patchBias), c.patchSize); // [B, N, d]
      let h = tf.add(patches, store.get(stem.position)); // [B, N, d] + [N, d]
      for (let l = 0; l < c.numLayers; l++) {
        const k = siglipLayerKeys(l, this.paramPrefix);
        const get = (p: { weight: string; bias: string }) => ({ weight: store.get(p.weight), bias: store.get(p.bias) });
        const a = layerNorm(h, store.get(k.norm1.weight), store.get(k.norm1.bias), c.layerNormEps);
        h = tf.add(h, multiHeadAttention(a, { q: get(k.q), k: get(k.k), v: get(k.v), o: get(k.o) }, c.numHeads));
        const m = layerNorm(h, store.get(k.norm2.weight), store.get(k.norm2.bias), c.layerNormEps);
        h = tf.add(h, mlp(m, get(k.fc1), get(k.fc2), c.activation));
      }
      const out = c.postLnAffine
        ? layerNorm(h, store.get(stem.postNorm.weight), store.get(stem.postNorm.bias), c.layerNormEps)
        : layerNorm(h, undefined, undefined, c.layerNormEps);
      return out as tf.Tensor3D; // [B, N, d]
    });
  }
}
