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
export { createRunFolder, graphSummaries, timestamp, type RunFolder, type RunFolderOptions, type GraphRecord } from './run/run-folder.js';
export { RunFolderError, type RunFolderErrorDetails, type RunFolderRefusal } from './run/run-folder-error.js';
export {
  RECORD_FILES,
  checkRunFolderTarget,
  snapshotRecords,
  archivePreviousRecords,
  removeCreatedFolder,
  restoreRecords,
  sweepRecordTemporaries,
  writeFileAtomicSync,
  type RecordsSnapshot,
} from './run/run-records.js';
export { withInterrupt, interruptScopeActive, interruptSignal } from './run/interrupt.js';
export { runGraph, EXIT, type RunGraphOptions, type GraphRunOutcome } from './run/run-graph.js';
export { runStatus, writeRunSummary, writePartialRunSummary, type RunStatus, type RunSummaryRecord } from './run/run-summary-file.js';
export { runGraphInFolder, type RunInFolderOptions, type FolderRunResult } from './run/run-graph-in-folder.js';
export { formatSummaryTable } from './run/summary-table.js';
export { toJsonSafe } from './run/json-safe.js';
