export * from './inception-architecture.js';
export * from './inception-weights.js';
export * from './inception-forward.js';
export * from './input-variants.js';
export * from './pil-resize.js';
export * from './feature-space.js';
export * from './fid-inception.js';
export * from './feature-stats-sink.js';
