/** @vqrae/onnx: ONNX export of VQRAE models (typed graph builder on onnx-proto) and the ONNX Runtime inference engine. */
export { type OnnxDataType, type Dim, DATA_TYPE_CODES, IR_VERSION, onnx } from './builder/proto.js';
export { type AttributeValue, type Attributes, float, floats, graph, int, ints, str } from './builder/attributes.js';
export { OnnxGraphBuilder, tensorValueInfo, type Initializer, type NodeOptions, type Precision } from './builder/graph-builder.js';
export {
  DEFAULT_EXTERNAL_DATA_THRESHOLD,
  buildModel,
  readModelMetadata,
  relocateExternalData,
  type BuildModelOptions,
  type ExternalData,
  type OnnxArtifact,
  type OpsetImport,
} from './builder/model.js';
export { writeOnnxArtifact } from './builder/write-artifact.js';
export { describeOnnxModel } from './builder/describe-model.js';
export {
  ONNX_EXPORTER_VERSION,
  ONNX_GRAPH_KINDS,
  TIE_RULE,
  exportMetadata,
  exportOnnx,
  type ExportOnnxOptions,
  type OnnxGraphKind,
} from './export/export-onnx.js';
export { searchPlan, type SearchCodebook, type SearchPlan } from './export/simvq.js';
export { searchOnlyGraph } from './export/search-graph.js';
export {
  EXECUTION_PROVIDERS,
  listExecutionProviders,
  ortErrorMessage,
  probeExecutionProvider,
  loadOnnxRuntime,
  providerHint,
  requireOnnxRuntime,
  type ExecutionProviderName,
  type ExecutionProviderStatus,
  type LoadedOnnxRuntime,
  type OnnxRuntime,
} from './engine/runtime.js';
export { OnnxEngine, sessionOptions, type OnnxEngineOptions } from './engine/onnx-engine.js';
export { loadOnnxEngines, type OnnxEngines } from './engine/load-engines.js';
export {
  inceptionFeatureSession,
  readInceptionWidthDivisor,
  type InceptionFeatureSession,
  type InceptionSessionOptions,
} from './inception/inception-session.js';
export { inceptionFeatureExtractor } from './inception/inception-feature-extractor.js';
export { fidInputScale, type FidImageBatch } from './inception/fid-input-scale.js';
export { inceptionGraph, INCEPTION_GRAPH_IO } from './inception/inception-graph.js';
export { fidResizeMatrix, bilinearResizeMatrix, pilBicubicResizeMatrix, type ResizeMatrix } from './inception/resize-matrices.js';
export { loadTfjsFidInception, openFeatureExtractor, type FeatureNetworkChoice } from './features/feature-networks.js';
export { FID_ENGINE_SUBJECT, openFeatureNetworkEngine, openFidInceptionEngine, type FeatureEngineDeps } from './features/feature-network-engine.js';
