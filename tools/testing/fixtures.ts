import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (for tests and benchmarks that read committed fixtures). */
export const WORKSPACE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
