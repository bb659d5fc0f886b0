/** A whole reconstruction evaluation: graph pieces, mergeable partial results, summary, outputs and rank merging. */
export * from './eval-partial.js';
export * from './eval-summary.js';
export * from './eval-outputs.js';
export * from './eval-graph.js';
export * from './fast-reference-stage.js';
export * from './finish-eval.js';
export * from './merge-partials.js';
export * from './earlier-outputs.js';
export * from './decode-mode-label.js';
export * from './stats-distance-label.js';
