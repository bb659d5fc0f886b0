/** Builds the encoder object of a config and, for packaged pretrained encoders, loads their weights. */
import type { ParamStore } from '@vqrae/nn';
import type { EncoderConfig } from '../config/types.js';
import type { ImageEncoder } from './image-encoder.js';
import { MobileNetV2Encoder } from './mobilenet/mobilenet-encoder.js';
import { loadPackagedMobileNetV2 } from './mobilenet/packaged-weights.js';
import { SiglipEncoder } from './siglip-encoder.js';

/** The (stateless) encoder for a config. */
export function encoderFor(config: EncoderConfig): ImageEncoder {
  switch (config.kind) {
    case 'siglip-vit':
      return new SiglipEncoder(config);
    case 'mobilenetv2-imagenet-stride16':
      return new MobileNetV2Encoder(config);
  }
}

/** Whether the encoder's weights come from an installed package (so checkpoints may reference them). */
export function hasPackagedWeights(config: EncoderConfig): boolean {
  return config.kind === 'mobilenetv2-imagenet-stride16';
}

/**
 * Adds the packaged pretrained weights of `encoder` to `store` (frozen), verifying the recorded identity.
 * Throws for encoders without packaged weights.
 */
export async function addPackagedEncoderWeights(encoder: ImageEncoder, store: ParamStore): Promise<void> {
  if (!(encoder instanceof MobileNetV2Encoder)) {
    throw new Error(`addPackagedEncoderWeights: encoder kind '${encoder.config.kind}' has no packaged weights`);
  }
  const weights = await loadPackagedMobileNetV2(encoder.config.source);
  try {
    encoder.addWeights(store, weights.tensors, weights.layers);
  } finally {
    for (const tensor of Object.values(weights.tensors)) tensor.dispose();
  }
}
