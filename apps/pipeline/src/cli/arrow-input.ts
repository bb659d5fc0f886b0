/**
 * Bridge for the eval side (eval/merge-partials.ts), kept only so that branch merges without edits: readArrowTable
 * lives in @vqrae/data. Delete this file once merge-partials imports it from there.
 */
export { readArrowTable } from '@vqrae/data';
