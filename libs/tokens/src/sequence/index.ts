export * from './vocab.js';
export * from './text-tokenizer.js';
export * from './template.js';
export * from './caption.js';
export * from './pack.js';
export * from './shard-sequencer.js';
export * from '../augment/views.js';
export { resolveDumpSequencing, writeVocabJson, type DumpSequencing, type SequenceOptionValues } from './dump-sequencing.js';
