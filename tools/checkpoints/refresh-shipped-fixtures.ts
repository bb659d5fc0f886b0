/**
 * `node --import tsx tools/checkpoints/refresh-shipped-fixtures.ts`: re-measures the token ids and PSNR floor of
 * every shipped checkpoint on the bundled images and rewrites `test/fixtures/shipped-<name>-tokens.json`.
 */
import { refreshShippedFixtures, useWasmBackend } from './refresh.js';

await useWasmBackend();
await refreshShippedFixtures((line) => console.log(line));
