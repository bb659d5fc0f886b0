#!/usr/bin/env node
// `vqrae` entry: runs the TypeScript CLI through tsx so that `npx vqrae` works right after `npm ci` (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
