export * from './types.js';
export * from './sequence/index.js';
