/**
 * Fixed-resolution SigLIP ViT vision tower (spec §3.4): conv patch embedding (as patchify + matmul), learned
 * position table, pre-LN blocks with tanh-GELU MLPs, post-LN (affine configurable). Weights live in a ParamStore
 * under HF key names (`vision_model.*`). `encode` (Z_I) and `features` (intermediate hidden states) share one forward.
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
import { FINAL_TAP, checkTapNames, takeTaps, thirdsOfDepth, uniqueTaps } from './feature-taps.js';
import type { FeatureTap, FeatureUse, ImageEncoder } from './image-encoder.js';
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
    return this.forward(store, images, [FINAL_TAP], 'SiglipEncoder.encode')[0];
  }

  /** `layer.1` … `layer.L` (hidden state after block l, before the post-LN), then `final` (post-LN = Z_I). */
  featureTaps(): readonly FeatureTap[] {
    const tokens = this.geometry.gridSize ** 2;
    const channels = this.config.hiddenSize;
    const layers = Array.from({ length: this.config.numLayers }, (_, l) => ({ name: layerTap(l + 1), tokens, channels }));
    return [...layers, { name: FINAL_TAP, tokens, channels }];
  }

  /** perceptual: layers round(L/3), round(2L/3), L (deduplicated); discriminator: those + `final` (spec §7.5, §8.6). */
  defaultTaps(use: FeatureUse): readonly string[] {
    const perceptual = thirdsOfDepth(this.config.numLayers).map(layerTap);
    return use === 'perceptual' ? perceptual : uniqueTaps([...perceptual, FINAL_TAP]);
  }

  /** Intermediate token features `[B, N, d]` per tap (see `ImageEncoder.features`); blocks past the deepest tap are skipped. */
  features(store: ParamStore, images: tf.Tensor4D, taps: readonly string[]): tf.Tensor3D[] {
    checkTapNames('SiglipEncoder.features', this.featureTaps(), taps);
    return this.forward(store, images, taps, 'SiglipEncoder.features');
  }

  /** The one forward of the tower: runs blocks up to the deepest requested tap and returns the requested maps. */
  private forward(store: ParamStore, images: tf.Tensor4D, taps: readonly string[], where: string): tf.Tensor3D[] {
    checkImageBatch(images, this.geometry.imageSize, where);
    const c = this.config;
    const wanted = new Set(taps);
    const depth = wanted.has(FINAL_TAP) ? c.numLayers : Math.max(...[...wanted].map(layerOfTap));
    return tf.tidy(() => {
      const maps = new Map<string, tf.Tensor3D>();
      const stem = siglipStemKeys(this.paramPrefix);
      const pm1 = normalisePixels(images, this.geometry); // [B, H, W, 3]
      const patches = patchEmbed(pm1, store.get(stem.patchWeight), store.get(stem.patchBias), c.patchSize); // [B, N, d]
      let h = tf.add(patches, store.get(stem.position)); // [B, N, d] + [N, d]
      for (let l = 0; l < depth; l++) {
        const k = siglipLayerKeys(l, this.paramPrefix);
        const get = (p: { weight: string; bias: string }) => ({ weight: store.get(p.weight), bias: store.get(p.bias) });
        const a = layerNorm(h, store.get(k.norm1.weight), store.get(k.norm1.bias), c.layerNormEps);
        h = tf.add(h, multiHeadAttention(a, { q: get(k.q), k: get(k.k), v: get(k.v), o: get(k.o) }, c.numHeads));
        const m = layerNorm(h, store.get(k.norm2.weight), store.get(k.norm2.bias), c.layerNormEps);
        h = tf.add(h, mlp(m, get(k.fc1), get(k.fc2), c.activation));
        if (wanted.has(layerTap(l + 1))) maps.set(layerTap(l + 1), h as tf.Tensor3D); // [B, N, d]
      }
      if (wanted.has(FINAL_TAP)) {
        const out = c.postLnAffine
          ? layerNorm(h, store.get(stem.postNorm.weight), store.get(stem.postNorm.bias), c.layerNormEps)
          : layerNorm(h, undefined, undefined, c.layerNormEps);
        maps.set(FINAL_TAP, out as tf.Tensor3D); // [B, N, d]
      }
      return takeTaps(taps, maps, (name) => name, where);
    });
  }
}

/** Tap name of the hidden state after block l (1-based, HF `hidden_states[l]`). */
function layerTap(layer: number): string {
  return `layer.${layer}`;
}

/** Block number of a `layer.l` tap (names are validated before). */
function layerOfTap(name: string): number {
  return Number(name.slice('layer.'.length));
}
