/**
 * @vqrae/losses: losses by name — pixel (l2, l1, ssim), perceptual (LPIPS from user-supplied weights; the named
 * substitute `enc-perceptual`), adversarial (RAE discriminator heads, DiffAug, hinge, adaptive weight, schedule),
 * VQ pass-through and self-distillation — plus `composeLosses` for the weighted total and the per-step log.
 *
 * Ownership rule for the whole library: inputs are borrowed; every returned tensor is new and owned by the caller.
 */
export { LOSS_NAMES, DISCRIMINATOR_LABELS, type LossName, type DiscriminatorLabel } from './names.js';
export {
  disposeLossOutput,
  type FeaturePyramid,
  type Loss,
  type LossInputs,
  type LossOutput,
  type RandomSource,
} from './types.js';
export { LossRegistry, createDefaultLossRegistry, type LossFactory, type LossOptionsByName } from './registry.js';
export { composeLosses, composedLossValues, disposeComposedLoss, type ComposedLoss } from './compose.js';
export { l2PixelLoss, createL2Loss } from './pixel/l2.js';
export { l1PixelLoss, createL1Loss } from './pixel/l1.js';
export { ssimPixelLoss, createSsimLoss } from './pixel/ssim.js';
export {
  LpipsNetwork,
  LPIPS_LAYER_NAMES,
  LPIPS_SCALE,
  LPIPS_SHIFT,
  LPIPS_VGG16_CONV_INDICES,
  LPIPS_VGG16_SLICES,
  type LpipsTopology,
} from './perceptual/lpips-network.js';
export { loadLpipsNetwork, type LoadedLpips } from './perceptual/lpips-loader.js';
export { lpipsDistance, normalizeChannels, createLpipsLoss, type LpipsLossOptions } from './perceptual/lpips.js';
export {
  encPerceptualDistance,
  encPerceptualFromFeatures,
  createEncPerceptualLoss, type EncPerceptualLossOptions } from './perceptual/enc-perceptual.js';
export { SpectralNormState, type DiscriminatorMode } from './adversarial/spectral-norm.js';
export { circularConv1d, localBatchNorm } from './adversarial/conv1d.js';
export {
  Discriminator,
  defaultDiscriminatorConfig,
  headKeys,
  type DiscriminatorConfig,
  type ParamLookup,
} from './adversarial/discriminator.js';
export {
  DEFAULT_DIFFAUG,
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  diffAugment,
  translate,
  type DiffAugOptions,
  type Shift,
} from './adversarial/diffaug.js';
export { toDinoInput, IMAGENET_MEAN, IMAGENET_STD } from './adversarial/dino-input.js';
export { hingeDiscriminatorLoss, generatorAdversarialValue, quantizeFakesPm1 } from './adversarial/gan-losses.js';
export {
  createAdversarialLoss,
  discriminatorLoss,
  generatorTermKey,
  type AdversarialOptions,
} from './adversarial/adversarial.js';
export {
  adaptiveGanWeight,
  adaptiveWeightFromNorms,
  type AdaptiveWeight,
  type AdaptiveWeightOptions,
} from './adversarial/adaptive-weight.js';
export { adversarialSchedule, type AdversarialSchedule, type AdversarialScheduleOptions } from './adversarial/schedule.js';
export { vqLoss, createVqLoss, DEFAULT_VQ_TERM_WEIGHTS, type VqTermWeights } from './regularizers/vq.js';
export { distillationLoss, createDistillLoss } from './regularizers/distill.js';
export { DinoVit } from './adversarial/dino-vit.js';
export { DINO_VIT_S8, dinoVitShapes, type DinoVitConfig } from './adversarial/dino-vit-weights.js';
export { dinoConfigFromMetadata, loadDinoVit, type LoadedDinoVit } from './adversarial/dino-loader.js';
