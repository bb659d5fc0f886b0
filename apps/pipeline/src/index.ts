/** @vqrae/pipeline: the `vqrae` CLI and its pipeline graphs. */
export { buildProgram, main } from './main.js';
export { decodeTokenTable, encodeTokenTable, tokenDtype, type TokenRow, type TokenTableLayout } from './dump/token-table.js';
export { encodeFeatureTable, type FeatureRow, type FeatureTableLayout } from '@vqrae/tokens';
export { resolveRank, shardsForRank, type RankAssignment } from './dump/rank.js';
export { mergeManifests, rankManifestName } from '@vqrae/tokens';
export { readDumpManifest } from '@vqrae/tokens';
export type { DumpManifest, InputShardRecord, OutputFileRecord } from '@vqrae/tokens';
