/**
 * An ONNX FID-Inception session as the `FeatureExtractor` that `featureStatsSink` (and `vqrae eval`/`fid-stats`)
 * streams image tensors through: the batch is read to the host, run on ONNX Runtime, and the features come back as
 * a tensor the caller owns (the extractor interface is tensor-based; nothing else of tfjs is involved).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureExtractor, FidPixelRange } from '@vqrae/eval';
import type { InceptionFeatureSession } from './inception-session.js';

/** Wraps `session`; the extractor owns it (`dispose()` releases it, fire-and-forget as the interface is sync). */
export function inceptionFeatureExtractor(session: InceptionFeatureSession): FeatureExtractor {
  return {
    space: session.space,
    featureDim: session.featureDim,
    async extract(images: tf.Tensor4D, range: FidPixelRange): Promise<tf.Tensor2D> {
      const [batch, height, width, channels] = images.shape;
      if (channels !== 3) throw new Error(`inceptionFeatureExtractor(${session.variant}): expected 3 channels, got ${channels}`);
      const data = Float32Array.from(await images.data()); // int32 uint8-range tensors too (exact: integers ≤ 255)
      const features = await session({ data, batch, height, width, range }); // [B, featureDim]
      return tf.tensor2d(features, [batch, session.featureDim]);
    },
    dispose(): void {
      void session.dispose();
    },
  };
}
