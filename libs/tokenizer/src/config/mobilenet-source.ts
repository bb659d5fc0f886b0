/** Identity of the embedded MobileNetV2 weights (checked when they are loaded from the installed package). */
import type { PackagedWeightsSource } from './types.js';

/**
 * nsfwjs 4.4.0 `models/mobilenet_v2` (MIT): Keras MobileNetV2 (ImageNet-initialised, fine-tuned by nsfwjs), weights
 * 8-bit quantised. sha256 of the base64-decoded weight shard bytes (2,619,461 bytes).
 */
export const MOBILENETV2_NSFWJS_SOURCE: PackagedWeightsSource = {
  package: 'nsfwjs',
  version: '4.4.0',
  model: 'MobileNetV2',
  sha256: '8e7dddbb16acacc1bf1601b1b8a761e730ff934b7f2d7771312b2f000e5f5f13',
};
