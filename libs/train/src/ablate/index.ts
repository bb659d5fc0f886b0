// `vqrae ablate` as library pieces: grid factors and cells, grid.json, one cell (train → evaluate → result), a rank's
// run of the grid, and the merge into ablation.arrow / summary.md / ablation.{svg,png} / report.html.
export { cellName, cellsForRank, gridCells, GridError, parseGrid, QUANTIZER_KINDS, resolveDims, type AblationCell, type AblationGrid, type DimSpec, type GridFlags, type QuantizerKind } from './grid.js';
export { claimGridRecord, GRID_FILE, GRID_FORMAT, readGridRecord, sharedOptions, type GridRecord, type SharedOptions } from './grid-file.js';
export { ABLATION_SSIM_VARIANT, evaluateCell, type CellEvalOptions, type CellMetrics } from './cell-eval.js';
export { CELL_RESULT_FILE, cellDir, cellTrainConfig, readCellResult, runCell, type CellHost, type CellOutcome, type CellResult } from './cell-run.js';
export { gridRecordOf, presetEncoderWidth, runAblation, type AblationRequest, type AblationRunReport } from './run-grid.js';
export { ablationRows, ablationTable, spread, summaryMarkdown, type AblationRow, type SummarisedCell, type SummarisedGrid, type Spread } from './summary.js';
export { writeAblationTable } from './ablation-table.js';
export { readAblationTable, type AblationTableCell, type AblationTableContents } from './ablation-table-read.js';
export { writeAblationChart } from './ablation-chart.js';
export { dynamicsSeries, readCellDynamics, type CellDynamics, type DynamicsPoint, type DynamicsSeries } from './cell-dynamics.js';
export { writeDynamicsChart } from './dynamics-chart.js';
export { GridIncompleteError, mergeAblation, PARTIAL_MERGE_DIR, readGridResults, type AblationOutputs, type MergeOptions } from './merge.js';
export { gridStatus, statusText, type CellState, type CellStatus, type LockHolderOf } from './status.js';
