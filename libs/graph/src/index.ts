/** @vqrae/graph: typed streaming stage graphs on highland. */
export * from './types.js';
export { Graph, GraphBuilder, describeGraph, type GraphSpec } from './graph.js';
export type { RunOptions } from './engine.js';
export { mapStage, asyncMapStage, type AsyncMapOptions } from './stages/map.js';
export { filterStage } from './stages/filter.js';
export { flatMapStage } from './stages/flat-map.js';
export { batchStage, type BatchOptions } from './stages/batch.js';
export { defineHighlandStage, highlandFormOf, type StageOptions, type HighlandStageSpec, type HighlandForm } from './stage-base.js';
export { fromIterable, fromAsyncIterable, type SourceOptions } from './sources.js';
export { forEachSink, collectSink, teeSinks, type SinkOptions } from './sinks.js';
export { createProgress, quietProgress, formatRate, formatDuration, type ProgressReporter, type ProgressOptions } from './progress.js';
export { createStageContext, newCounters, silentLogger, consoleLogger, type StageContextOptions } from './stage-context.js';
export { metaOf, batchMetasOf, stageErrorFor, skipRecordFor } from './item-meta.js';
export { toHighland, fromHighland } from './highland-io.js';
export {
  writeFileAtomic,
  writeAll,
  removeStaleTemporaries,
  temporaryPathFor,
  temporaryOwnerPid,
  isProcessAlive,
  fileWriteError,
  openForWrite,
  type AtomicWriteOptions,
  type OpenForWrite,
  type WritableFile,
} from './output-files.js';
