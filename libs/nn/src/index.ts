/** @vqrae/nn: Neural-net toolkit on tfjs-core: parameter trees, initialisers, layers, optimisers, schedules, safetensors I/O. */
export { Rng, type RngState } from './random/rng.js';
export {
  fans,
  lecunNormalInit,
  normalInit,
  onesInit,
  torchDefaultUniformInit,
  truncatedNormalInit,
  xavierUniformInit,
  zerosInit,
  type Shape,
} from './random/init.js';
export { ParamStore, type LoadOptions, type LoadReport, type NameSelector } from './params/param-store.js';
export { defineCustomOp, type CustomOpResult, type InputGradient, type SaveTensors } from './layers/custom-op.js';
export { applyLinear, linear, type LinearOptions, type LinearParams } from './layers/linear.js';
export { layerNorm } from './layers/layer-norm.js';
export { activation, gelu, geluTanh, type ActivationName } from './layers/activations.js';
export { batchedMatMul, type BatchedMatMulStrategy } from './layers/batched-matmul.js';
export {
  DEFAULT_ATTENTION_STRATEGY,
  multiHeadAttention,
  scaledDotProductAttention,
  type AttentionOptions,
  type AttentionParams,
} from './layers/attention.js';
export { mlp } from './layers/mlp.js';
export { conv1d, conv2d, type Conv1dOptions, type Conv2dOptions } from './layers/conv.js';
export { patchEmbed, patchify, unpatchify, type PatchOrder } from './layers/patches.js';
export { sinCos2dTable, sinCos2dValues } from './layers/sincos.js';
export { stopGradient, straightThrough } from './layers/gradient-control.js';
export { AdamW, type AdamWOptions, type AdamWState, type LearningRate } from './optim/adamw.js';
export { clipByGlobalNorm, globalNorm, type ClippedGradients } from './optim/clip.js';
export { Ema } from './optim/ema.js';
export { constantSchedule, warmupCosine, type WarmupCosineOptions } from './optim/schedule.js';
export { SafetensorsFile, firstNonFinite, type ReadAllOptions, type ReadTensorOptions, type TensorValues } from './safetensors/reader.js';
export { writeSafetensors, type RawTensor, type WritableTensor, type WriteOptions } from './safetensors/writer.js';
export { loadSafetensorsInto, type LoadSafetensorsOptions } from './safetensors/load-params.js';
export { checkShapes, sameShape, shapeProblems } from './safetensors/check-shapes.js';
export { sha256File } from './safetensors/sha256.js';
export { bf16ToF32, f16ToF32, f32ToBf16, f32ToF16, isFloatDtype, type SafetensorsDtype } from './safetensors/dtypes.js';
export type { TensorInfo } from './safetensors/header.js';
export {
  BackendError,
  loadTf,
  selectBackend,
  setupRuntime,
  type BackendChoice,
  type BackendName,
  type BackendSelection,
  type ModuleLoader,
  type RuntimeOptions,
} from './runtime/select-backend.js';
