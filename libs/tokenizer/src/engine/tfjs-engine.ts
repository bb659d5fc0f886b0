/**
 * `TokenizerEngine` on the tfjs `VqraeModel` (whatever tfjs backend the process selected).
 *
 * Ownership: the engine owns the model (its `dispose()` disposes it). Every tensor is created and disposed inside
 * the call that needs it; results are read with `await tensor.data()` outside any `tf.tidy` (a large TypedArray
 * returned from `tf.tidy` is walked element by element) and are fresh arrays the caller owns.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '@vqrae/nn';
import type { ImageEncoder } from '../encoders/image-encoder.js';
import type { VqraeModel } from '../model/vqrae-model.js';
import type { EngineGeometry, FeatureEngine, PixelBatch, Reconstruction, TokenizerEngine } from './tokenizer-engine.js';

/** `tfjs(<backend>)`, e.g. `tfjs(wasm)`. */
function defaultLabel(): string {
  return `tfjs(${tf.getBackend()})`;
}

/** Checks a pixel batch against the encoder's input side; the message names the engine and the call. */
export function checkPixelBatch(pixels: PixelBatch, inputSize: number, where: string): void {
  const { batch, size, data } = pixels;
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`${where}: batch must be a positive integer, got ${batch}`);
  if (size !== inputSize) throw new Error(`${where}: images are ${size}×${size}, the encoder takes ${inputSize}×${inputSize}`);
  if (data.length !== batch * size * size * 3) {
    throw new Error(`${where}: pixel data has ${data.length} values, expected ${batch}×${size}×${size}×3 = ${batch * size * size * 3}`);
  }
}

/** Runs `fn` on the batch as a `[B, S, S, 3]` tensor that is disposed afterwards. */
async function withImages<T>(pixels: PixelBatch, fn: (images: tf.Tensor4D) => Promise<T>): Promise<T> {
  const images = tf.tensor4d(pixels.data, [pixels.batch, pixels.size, pixels.size, 3], 'float32'); // [B, S, S, 3]
  try {
    return await fn(images);
  } finally {
    images.dispose();
  }
}

/** Reads a tensor to a fresh host array and disposes it. */
async function take<A extends Float32Array | Int32Array>(tensor: tf.Tensor): Promise<A> {
  try {
    return (await tensor.data()) as A;
  } finally {
    tensor.dispose();
  }
}

/** The sizes every engine of `model` reports (`TokenizerEngine`'s geometry fields), read from the model once. */
export function engineGeometry(model: VqraeModel): EngineGeometry {
  return {
    inputSize: model.inputSize,
    outputSize: model.outputSize,
    tokensPerImage: model.tokensPerImage,
    codebookSize: model.config.quantizer.codebookSize,
    featureWidth: model.encoder.geometry.width,
  };
}

/** The tfjs engine of a loaded VQRAE model; takes ownership of `model`. */
export function tfjsEngine(model: VqraeModel, label: string = defaultLabel()): TokenizerEngine {
  const n = model.tokensPerImage;
  const where = (call: string): string => `${label}.${call}`;
  let disposed = false;
  const live = (call: string): void => {
    if (disposed) throw new Error(`${where(call)}: the engine was disposed`);
  };
  return {
    kind: 'tfjs',
    label,
    ...engineGeometry(model),
    async tokenize(pixels) {
      live('tokenize');
      checkPixelBatch(pixels, model.inputSize, where('tokenize'));
      return withImages(pixels, (images) => take<Int32Array>(model.tokenize(images))); // [B, N]
    },
    async reconstruct(pixels): Promise<Reconstruction> {
      live('reconstruct');
      checkPixelBatch(pixels, model.inputSize, where('reconstruct'));
      return withImages(pixels, async (images) => {
        const indices = model.tokenize(images); // [B, N] int32
        try {
          const decoded = model.decode(indices); // [B, S_out, S_out, 3] pixel01, not clamped
          const codes = (await indices.data()) as Int32Array;
          return { indices: codes, pixels: await take<Float32Array>(decoded) };
        } finally {
          indices.dispose();
        }
      });
    },
    async features(pixels) {
      live('features');
      checkPixelBatch(pixels, model.inputSize, where('features'));
      return withImages(pixels, (images) => take<Float32Array>(model.features(images))); // [B, N, d]
    },
    async decode(indices, batch) {
      live('decode');
      if (!Number.isInteger(batch) || batch < 1 || indices.length !== batch * n) {
        throw new Error(`${where('decode')}: expected ${batch} × ${n} code indices, got ${indices.length}`);
      }
      const codes = tf.tensor2d(indices, [batch, n], 'int32'); // [B, N]
      try {
        return await take<Float32Array>(model.decode(codes)); // [B, S_out, S_out, 3]
      } finally {
        codes.dispose();
      }
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

/**
 * A features-only tfjs engine of a bare encoder (e.g. a Hugging Face SigLIP tower without a VQRAE checkpoint).
 * `release` frees its weights and runs once, on `dispose()`.
 */
export function tfjsFeatureEngine(encoder: ImageEncoder, params: ParamStore, release: () => void, label: string = defaultLabel()): FeatureEngine {
  const { imageSize, gridSize, width } = encoder.geometry;
  let disposed = false;
  return {
    kind: 'tfjs',
    label,
    inputSize: imageSize,
    tokensPerImage: gridSize * gridSize,
    featureWidth: width,
    async features(pixels) {
      if (disposed) throw new Error(`${label}.features: the engine was disposed`);
      checkPixelBatch(pixels, imageSize, `${label}.features`);
      return withImages(pixels, (images) => take<Float32Array>(encoder.encode(params, images))); // [B, N, d]
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      release();
    },
  };
}
