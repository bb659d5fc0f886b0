import type { TokenSequence } from '../src/index.js';

function sequence(key: string, ids: number[], docStarts?: number[]): TokenSequence {
  return { key, shard: 's-000.tar', aug: 'none', ids: Int32Array.from(ids), ...(docStarts ? { docStarts: Int32Array.from(docStarts) } : {}), grid: [2, 2], side: {} };
}

/** Sequences behind the committed Megatron fixtures (uint16 images; int32 packed rows with document starts). */
export const MEGATRON_FIXTURE_SEQUENCES = {
  'images-u16': { vocabSize: 1024, sequences: [sequence('a', [1, 2, 3, 4]), sequence('b', [1023, 0, 512, 7]), sequence('c', [5, 5, 5, 5])] },
  'packed-i32': { vocabSize: 70_000, sequences: [sequence('p0', [69_999, 1, 2, 3, 65_536, 9], [0, 4]), sequence('p1', [10, 11, 12, 13, 14, 15], [0, 2, 3])] },
};
