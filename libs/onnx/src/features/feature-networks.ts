import * as tf from '@tensorflow/tfjs-core';
import { FidInception, functionFeatureExtractor, namedFeatureSpace, type FeatureExtractor, type FidInputVariant, type FidPixelRange } from '@vqrae/eval';
import { ParamStore, SafetensorsFile } from '@vqrae/nn';
import { loadPackagedMobileNetV2, MobileNetV2Encoder, presetConfig, type MobileNetV2EncoderConfig, type VqraeModel } from '@vqrae/tokenizer';

/** Which network the Fréchet distance of `vqrae eval` uses. */
export type FeatureNetworkChoice =
  | { readonly kind: 'fid-inception'; readonly weights: string; readonly variant: FidInputVariant }
  /** The MobileNetV2 embedded in nsfwjs (no download), mean-pooled: `FD[mobilenetv2-imagenet-stride16]`. */
  | { readonly kind: 'mobilenetv2' }
  /** The evaluated checkpoint's own encoder, mean-pooled: `FD[checkpoint-encoder-<sha>]` (cheap; not comparable across checkpoints). */
  | { readonly kind: 'encoder'; readonly model: VqraeModel; readonly checkpointSha256: string };

/** pixel01 float32 copy of a batch in `range`; the caller owns the result. */
function toPixel01(images: tf.Tensor4D, range: FidPixelRange): tf.Tensor4D {
  return tf.tidy(() => (range === 'uint8' ? tf.div(tf.cast(images, 'float32'), 255) : tf.cast(images, 'float32')) as tf.Tensor4D);
}

/** Bilinear (half-pixel centres) resize to `size` unless the batch already has it; the caller owns the result. */
function toSize(images: tf.Tensor4D, size: number): tf.Tensor4D {
  if (images.shape[1] === size && images.shape[2] === size) return tf.clone(images);
  return tf.image.resizeBilinear(images, [size, size], false, true); // [B, size, size, 3]
}

/**
 * Reads the channel width of a converted FID-Inception file (`Conv2d_1a_3x3.conv.weight` is [32/d, 3, 3, 3]) so the
 * eval lib's width-reduced test networks load too (they are labelled `FD[fid-inception-width-1of<d>]` by the lib).
 */
async function fidWidthDivisor(path: string): Promise<number> {
  const file = await SafetensorsFile.open(path);
  try {
    const shape = file.shapes()['Conv2d_1a_3x3.conv.weight'];
    if (!shape || shape.length !== 4 || shape[0]! <= 0 || 32 % shape[0]! !== 0) {
      throw new Error(`'${path}' is not a converted FID-Inception file (no Conv2d_1a_3x3.conv.weight [32, 3, 3, 3]); convert it with tools/convert/fid_inception_to_safetensors.py`);
    }
    return 32 / shape[0]!;
  } finally {
    await file.close();
  }
}

async function mobileNetExtractor(): Promise<FeatureExtractor> {
  const config = presetConfig('small-cpu').encoder as MobileNetV2EncoderConfig;
  const encoder = new MobileNetV2Encoder(config);
  const store = new ParamStore();
  const packaged = await loadPackagedMobileNetV2(config.source);
  try {
    encoder.addWeights(store, packaged.tensors, packaged.layers);
  } finally {
    for (const t of Object.values(packaged.tensors)) t.dispose();
  }
  const size = encoder.geometry.imageSize;
  const space = namedFeatureSpace(
    'mobilenetv2-imagenet-stride16',
    `nsfwjs@${config.source.version} MobileNetV2 (8-bit weights sha256 ${packaged.sha256.slice(0, 12)}…) block_13_expand_relu, ` +
      `mean over tokens (${encoder.geometry.width}-d), images bilinear-resized to ${size}`,
  );
  return functionFeatureExtractor(
    space,
    encoder.geometry.width,
    (images, range) => tf.tidy(() => tf.mean(encoder.encode(store, toSize(toPixel01(images, range), size)), 1) as tf.Tensor2D), // [B, d]
    () => store.dispose(),
  );
}

function encoderExtractor(model: VqraeModel, checkpointSha256: string): FeatureExtractor {
  const size = model.inputSize;
  const space = namedFeatureSpace(
    `checkpoint-encoder-${checkpointSha256.slice(0, 12)}`,
    `the evaluated checkpoint's own ${model.config.encoder.kind} encoder, Z_I mean over tokens; only comparable between runs of this checkpoint`,
  );
  return functionFeatureExtractor(space, model.encoder.geometry.width, (images, range) =>
    tf.tidy(() => tf.mean(model.features(toSize(toPixel01(images, range), size)), 1) as tf.Tensor2D), // [B, d]
  );
}

/** The tfjs FID-Inception of converted `weights` (any width divisor, read from the file); the caller disposes it. */
export async function loadTfjsFidInception(weights: string, variant: FidInputVariant): Promise<FeatureExtractor> {
  return FidInception.load(weights, { variant, widthDivisor: await fidWidthDivisor(weights) });
}

/**
 * Opens the feature network of a Fréchet distance on tfjs; the caller disposes it. (FID-Inception on the engine a
 * command chose: `openFidInception` in the app.)
 */
export async function openFeatureExtractor(choice: FeatureNetworkChoice): Promise<FeatureExtractor> {
  switch (choice.kind) {
    case 'fid-inception':
      return loadTfjsFidInception(choice.weights, choice.variant);
    case 'mobilenetv2':
      return mobileNetExtractor();
    case 'encoder':
      return encoderExtractor(choice.model, choice.checkpointSha256);
  }
}
