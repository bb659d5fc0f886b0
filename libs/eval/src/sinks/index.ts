export * from './provenance.js';
export * from './atomic-arrow-file.js';
export * from './metric-columns.js';
export * from './metrics-sink.js';
export * from './summary-file.js';
export * from './psnr-sink.js';
