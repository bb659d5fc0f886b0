/**
 * RAE-layout ViT pixel decoder (spec §5): decoder_embed e→D, zero-initialised cls token, fixed 2-D sin-cos table,
 * pre-LN ViT-MAE blocks (erf GELU, eps 1e-12), decoder_norm, decoder_pred D→p²·3, unpatchify (py, px, c) and
 * de-normalisation with the encoder's mean/std. Keys are RAE's module names under `decoder.`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type ParamStore,
  type Rng,
  layerNorm,
  linear,
  mlp,
  multiHeadAttention,
  onesInit,
  sinCos2dTable,
  torchDefaultUniformInit,
  unpatchify,
  zerosInit,
} from '@vqrae/nn';
import type { DecoderConfig, EncoderGeometry } from '../config/types.js';
import { denormalisePixels } from '../encoders/pixels.js';

/** Key prefix of the decoder in VQRAE checkpoints. */
export const DECODER_PREFIX = 'decoder.';

/** Names of one decoder layer's parameters. */
export function decoderLayerKeys(layer: number, prefix = DECODER_PREFIX) {
  const base = `${prefix}decoder_layers.${layer}.`;
  return {
    normBefore: { weight: `${base}layernorm_before.weight`, bias: `${base}layernorm_before.bias` },
    q: { weight: `${base}attention.attention.query.weight`, bias: `${base}attention.attention.query.bias` },
    k: { weight: `${base}attention.attention.key.weight`, bias: `${base}attention.attention.key.bias` },
    v: { weight: `${base}attention.attention.value.weight`, bias: `${base}attention.attention.value.bias` },
    o: { weight: `${base}attention.output.dense.weight`, bias: `${base}attention.output.dense.bias` },
    normAfter: { weight: `${base}layernorm_after.weight`, bias: `${base}layernorm_after.bias` },
    fc1: { weight: `${base}intermediate.dense.weight`, bias: `${base}intermediate.dense.bias` },
    fc2: { weight: `${base}output.dense.weight`, bias: `${base}output.dense.bias` },
  };
}

/** Names of the non-layer decoder parameters. */
export function decoderStemKeys(prefix = DECODER_PREFIX) {
  return {
    embed: { weight: `${prefix}decoder_embed.weight`, bias: `${prefix}decoder_embed.bias` },
    cls: `${prefix}trainable_cls_token`,
    pos: `${prefix}decoder_pos_embed`,
    norm: { weight: `${prefix}decoder_norm.weight`, bias: `${prefix}decoder_norm.bias` },
    pred: { weight: `${prefix}decoder_pred.weight`, bias: `${prefix}decoder_pred.bias` },
  };
}

/** Decoder bound to its config, the latent width e and the encoder geometry (token grid, pixel mean/std). */
export class VitDecoder {
  readonly gridSize: number;
  readonly imageSize: number;

  constructor(
    readonly config: DecoderConfig,
    readonly latentWidth: number,
    readonly encoder: EncoderGeometry,
    readonly paramPrefix: string = DECODER_PREFIX,
  ) {
    this.gridSize = encoder.gridSize;
    this.imageSize = encoder.gridSize * config.patchSize;
  }

  /** Expected parameter shapes (the fixed position table included, as RAE stores it). */
  paramShapes(): Record<string, number[]> {
    const { hiddenSize: d, intermediateSize: i, patchSize: p } = this.config;
    const n = this.gridSize ** 2;
    const stem = decoderStemKeys(this.paramPrefix);
    const shapes: Record<string, number[]> = {
      [stem.embed.weight]: [d, this.latentWidth],
      [stem.embed.bias]: [d],
      [stem.cls]: [1, 1, d],
      [stem.pos]: [1, n + 1, d],
    };
    for (let l = 0; l < this.config.numLayers; l++) {
      const k = decoderLayerKeys(l, this.paramPrefix);
      for (const norm of [k.normBefore, k.normAfter]) {
        shapes[norm.weight] = [d];
        shapes[norm.bias] = [d];
      }
      for (const proj of [k.q, k.k, k.v, k.o]) {
        shapes[proj.weight] = [d, d];
        shapes[proj.bias] = [d];
      }
      shapes[k.fc1.weight] = [i, d];
      shapes[k.fc1.bias] = [i];
      shapes[k.fc2.weight] = [d, i];
      shapes[k.fc2.bias] = [d];
    }
    shapes[stem.norm.weight] = [d];
    shapes[stem.norm.bias] = [d];
    shapes[stem.pred.weight] = [p * p * 3, d];
    shapes[stem.pred.bias] = [p * p * 3];
    return shapes;
  }

  /** The fixed position table `[1, N+1, D]` (zero cls row, spec §5.3). Caller owns it. */
  positionTable(): tf.Tensor3D {
    return tf.tidy(() => tf.expandDims(sinCos2dTable(this.gridSize, this.config.hiddenSize, { clsRow: true }), 0) as tf.Tensor3D);
  }

  /** Adds initial parameters (spec §5.6): Linear torch-default uniform, LN 1/0, cls zeros, frozen sin-cos table. */
  initParams(store: ParamStore, rng: Rng): void {
    const shapes = this.paramShapes();
    const stem = decoderStemKeys(this.paramPrefix);
    const linearInit = (weight: string, bias: string) => {
      const fanIn = shapes[weight][1];
      store.add(weight, torchDefaultUniformInit(rng.fork(weight), shapes[weight], fanIn));
      store.add(bias, torchDefaultUniformInit(rng.fork(bias), shapes[bias], fanIn));
    };
    const normInit = (norm: { weight: string; bias: string }) => {
      store.add(norm.weight, onesInit(shapes[norm.weight]));
      store.add(norm.bias, zerosInit(shapes[norm.bias]));
    };
    linearInit(stem.embed.weight, stem.embed.bias);
    store.add(stem.cls, zerosInit(shapes[stem.cls]));
    store.add(stem.pos, this.positionTable(), { trainable: false });
    for (let l = 0; l < this.config.numLayers; l++) {
      const k = decoderLayerKeys(l, this.paramPrefix);
      normInit(k.normBefore);
      for (const proj of [k.q, k.k, k.v, k.o]) linearInit(proj.weight, proj.bias);
      normInit(k.normAfter);
      linearInit(k.fc1.weight, k.fc1.bias);
      linearInit(k.fc2.weight, k.fc2.bias);
    }
    normInit(stem.norm);
    linearInit(stem.pred.weight, stem.pred.bias);
  }

  /** Latent codes `[B, N, e]` → per-token pixel predictions `[B, N, p²·3]` in the encoder's normalised space. */
  predictTokens(store: ParamStore, latent: tf.Tensor3D): tf.Tensor3D {
    const [b, n, e] = latent.shape;
    if (n !== this.gridSize ** 2 || e !== this.latentWidth) {
      throw new Error(`VitDecoder: expected latent [B, ${this.gridSize ** 2}, ${this.latentWidth}], got [${latent.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const c = this.config;
      const stem = decoderStemKeys(this.paramPrefix);
      const get = (p: { weight: string; bias: string }) => ({ weight: store.get(p.weight), bias: store.get(p.bias) });
      const tokens = linear(latent, store.get(stem.embed.weight), store.get(stem.embed.bias)); // [B, N, D]
      const cls = tf.tile(store.get(stem.cls), [b, 1, 1]); // [B, 1, D]
      let h = tf.add(tf.concat([cls, tokens], 1), store.get(stem.pos)); // [B, N+1, D]
      for (let l = 0; l < c.numLayers; l++) {
        const k = decoderLayerKeys(l, this.paramPrefix);
        const a = layerNorm(h, store.get(k.normBefore.weight), store.get(k.normBefore.bias), c.layerNormEps);
        h = tf.add(h, multiHeadAttention(a, { q: get(k.q), k: get(k.k), v: get(k.v), o: get(k.o) }, c.numHeads));
        const m = layerNorm(h, store.get(k.normAfter.weight), store.get(k.normAfter.bias), c.layerNormEps);
        h = tf.add(h, mlp(m, get(k.fc1), get(k.fc2), c.activation));
      }
      const normed = layerNorm(h, store.get(stem.norm.weight), store.get(stem.norm.bias), c.layerNormEps);
      const pred = linear(normed, store.get(stem.pred.weight), store.get(stem.pred.bias)); // [B, N+1, p²·3]
      return tf.slice(pred, [0, 1, 0], [b, n, -1]) as tf.Tensor3D; // drop the cls row → [B, N, p²·3]
    });
  }

  /** Latent codes `[B, N, e]` → pixel01 images `[B, S, S, 3]` (not clamped). Caller owns the result. */
  decode(store: ParamStore, latent: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => {
      const tokens = this.predictTokens(store, latent); // [B, N, p²·3]
      const grid = { h: this.gridSize, w: this.gridSize };
      const normalised = unpatchify(tokens, this.config.patchSize, grid, 3, 'py-px-c') as tf.Tensor4D; // [B, S, S, 3]
      return denormalisePixels(normalised, this.encoder);
    });
  }
}
