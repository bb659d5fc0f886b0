/** @vqrae/graph: typed streaming stage graphs on highland. */
export * from './types.js';
