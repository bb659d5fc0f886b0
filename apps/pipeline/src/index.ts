/** @vqrae/pipeline: the `vqrae` CLI (token and feature dumps, their tables and manifests live in @vqrae/tokens). */
export { buildProgram, main } from './main.js';
