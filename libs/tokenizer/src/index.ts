/** @vqrae/tokenizer: VQRAE: SigLIP ViT encoder, embedded MobileNetV2 encoder adapter, SimVQ or plain VQ quantizer, ViT decoder, presets, checkpoints. */
export type {
  Activation,
  DecoderConfig,
  EncoderConfig,
  EncoderGeometry,
  MobileNetV2EncoderConfig,
  PackagedWeightsSource,
  QuantizerConfig,
  SiglipEncoderConfig,
  VqraeConfig,
} from './config/types.js';
export { decodedImageSize, encoderGeometry } from './config/types.js';
export { parseDecoderConfig, parseEncoderConfig, parseQuantizerConfig, parseVqraeConfig } from './config/validate.js';
export { siglipConfigFromHf } from './config/hf-siglip-config.js';
export { MOBILENETV2_NSFWJS_SOURCE } from './config/mobilenet-source.js';
export {
  SIGLIP_ENCODER_PRESETS,
  VQRAE_PRESETS,
  presetConfig,
  type SiglipEncoderPresetName,
  type VqraePresetName,
} from './config/presets.js';
export { countParams, type ParamCounts } from './config/param-counts.js';
export type { FeatureTap, FeatureUse, ImageEncoder } from './encoders/image-encoder.js';
export { encoderFeaturePyramid } from './encoders/feature-pyramid.js';
export { SIGLIP_PREFIX, siglipLayerKeys, siglipParamShapes, siglipStemKeys } from './encoders/siglip-keys.js';
export { SiglipEncoder } from './encoders/siglip-encoder.js';
export { loadHfSiglip, type HfSiglipSource, type LoadedSiglip } from './encoders/load-hf-siglip.js';
export { MOBILENET_PREFIX, MobileNetV2Encoder, mobileNetParamName } from './encoders/mobilenet/mobilenet-encoder.js';
export { BN_EPSILON as MOBILENET_BN_EPSILON, mobileNetV2Blocks, type BlockSpec as MobileNetV2BlockSpec } from './encoders/mobilenet/architecture.js';
export { loadPackagedMobileNetV2, type PackagedMobileNetV2 } from './encoders/mobilenet/packaged-weights.js';
export { conv3x3, depthwiseConv3x3, pointwiseConv } from './encoders/mobilenet/conv-ops.js';
export { encoderFor } from './encoders/encoder-factory.js';
export { denormalisePixels, normalisePixels } from './encoders/pixels.js';
export { DEFAULT_MAX_CHUNK_ELEMENTS, firstArgMin, nearestCodeIndices, type NearestCodeOptions } from './quantizer/nearest-code.js';
export type { QuantizeResult, Quantizer, QuantizerKind, QuantizerLosses } from './quantizer/quantizer.js';
export { QUANTIZER_KEYS, SimVQ } from './quantizer/simvq.js';
export { VQ_KEYS, VectorQuantizer } from './quantizer/vq.js';
export { createQuantizer, quantizerKind } from './quantizer/quantizer-factory.js';
export { DECODER_PREFIX, VitDecoder, decoderLayerKeys, decoderStemKeys } from './decoder/vit-decoder.js';
export { VqraeModel, type EncodeResult, type ForwardResult, type TrainingStage } from './model/vqrae-model.js';
export { createVqrae, type CreateVqraeOptions } from './model/create.js';
export {
  CHECKPOINT_METADATA,
  loadCheckpoint,
  saveCheckpoint,
  type EncoderWeightsMode,
  type LoadCheckpointOptions,
  type SaveCheckpointOptions,
} from './model/checkpoint.js';
export { openFeatureEncoder, type FeatureEncoder, type FeaturePooling, type FeatureSource } from './model/feature-encoder.js';
export type { EngineGeometry, EngineKind, FeatureEngine, PixelBatch, Reconstruction, TokenizerEngine } from './engine/tokenizer-engine.js';
export { checkPixelBatch, engineGeometry, tfjsEngine, tfjsFeatureEngine } from './engine/tfjs-engine.js';
export {
  ENGINE_KINDS,
  EXECUTION_PROVIDERS,
  EngineChoiceError,
  type EngineChoice,
  type EngineChoiceOptions,
  type ExecutionProvider,
} from './engine/engine-choice.js';
export { chooseEngine, defaultThreads, firstLine, type ChosenEngine, type EngineOpeners, type EngineRecord } from './engine/choose-engine.js';
export { openTokenizerEngine, tfjsOnlyEngine, type OnnxTokenizerEngines, type TokenizerEngineDeps } from './engine/open-tokenizer-engine.js';
export {
  splitRows,
  type DecodedOutputs,
  type FeatureOutputs,
  type ImageBatchRecord,
  type ModelStageOptions,
  type TokenBatchRecord,
  type TokenOutputs,
} from './stages/model-batch.js';
export { tokenizeStage } from './stages/tokenize-stage.js';
export { reconstructStage } from './stages/reconstruct-stage.js';
export { featuresStage, meanOverTokens, type FeaturePool } from './stages/features-stage.js';
export { decodeTokensStage, packTokenRows } from './stages/decode-tokens-stage.js';
export { imageBatches, type ImageBatchesOptions, type SampleBatchRecord } from './stages/image-batch-stage.js';
export {
  BUNDLED_CHECKPOINTS,
  findShippedCheckpoint,
  listShippedCheckpoints,
  sha256FileSync,
  shippedCheckpointsDir,
  verifyShippedCheckpoint,
  type ShippedCheckpoint,
} from './shipped/shipped-registry.js';
export { locateCheckpoint, resolveCheckpoint, type ResolvedCheckpoint } from './shipped/resolve-checkpoint.js';
export { ShippedCheckpointError, type ShippedCheckpointProblem } from './shipped/shipped-error.js';
