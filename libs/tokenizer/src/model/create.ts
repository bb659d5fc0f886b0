/** Builds a VQRAE model from a config: random init (seeded), or an already loaded encoder. */
import * as tf from '@tensorflow/tfjs-core';
import { ParamStore, Rng, checkShapes } from '@vqrae/nn';
import type { VqraeConfig } from '../config/types.js';
import { VitDecoder } from '../decoder/vit-decoder.js';
import { addPackagedEncoderWeights, encoderFor, hasPackagedWeights } from '../encoders/encoder-factory.js';
import { SiglipEncoder } from '../encoders/siglip-encoder.js';
import type { NearestCodeOptions } from '../quantizer/nearest-code.js';
import { createQuantizer } from '../quantizer/quantizer-factory.js';
import { VqraeModel } from './vqrae-model.js';

/** Options of `createVqrae`. */
export interface CreateVqraeOptions {
  /** Seed of every random initialiser (encoder, quantizer, decoder draw from independent forks). */
  readonly seed: number;
  /**
   * Pretrained encoder parameters (e.g. `loadHfSiglip(...).params`), names/shapes checked against the config. The
   * tensors are copied; the caller still owns and disposes this store.
   */
  readonly encoderParams?: ParamStore;
  /** Nearest-code search options (memory bound). */
  readonly search?: NearestCodeOptions;
}

/**
 * A new model (stage 1: encoder frozen). Encoder weights: `encoderParams` when given, else the packaged pretrained
 * weights for packaged encoders (MobileNetV2), else a seeded random init (SigLIP; HF `_init_weights` scheme).
 * The quantizer and decoder are always freshly initialised from `seed`.
 */
export async function createVqrae(config: VqraeConfig, opts: CreateVqraeOptions): Promise<VqraeModel> {
  const rng = new Rng(opts.seed);
  const encoder = encoderFor(config.encoder);
  const params = new ParamStore();
  try {
    if (opts.encoderParams !== undefined) {
      checkShapes(encoder.paramShapes(), opts.encoderParams.shapes(), 'createVqrae(encoderParams)');
      for (const name of opts.encoderParams.names()) params.add(name, tf.clone(opts.encoderParams.get(name)), { trainable: false });
    } else if (hasPackagedWeights(config.encoder)) {
      await addPackagedEncoderWeights(encoder, params);
    } else if (encoder instanceof SiglipEncoder) {
      encoder.initParams(params, rng.fork('encoder'), { trainable: false });
    }
    createQuantizer(config.quantizer, encoder.geometry.width).initParams(params, rng.fork('quantizer'));
    new VitDecoder(config.decoder, config.quantizer.codebookDim, encoder.geometry).initParams(params, rng.fork('decoder'));
    return new VqraeModel(config, encoder, params, { search: opts.search });
  } catch (error) {
    params.dispose();
    throw error;
  }
}
