/**
 * Bridge for the eval side (commands/eval.ts, eval/eval-run.ts), kept only so that branch merges without edits:
 * rank resolution lives in @vqrae/tokens, the CLI's rank options in cli/option-groups.ts. Delete this file once
 * those two files import from there.
 */
export { shardsForRank, type RankAssignment } from '@vqrae/tokens';
export { rankFromOptions } from '../cli/option-groups.js';
