/** @vqrae/pipeline: the `vqrae` CLI and its pipeline graphs. */
export { buildProgram, main } from './main.js';
