import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractImages, imageBlock, planFromVocabJson, planVocab, vocabJson } from '../src/sequence/vocab.js';

const codes = Int32Array.from([3, 0, 7, 1, 2, 5]); // grid 2×3, codebook 8

test('offset shifts codes and boi/eol/eoi frame the grid, Emu3-style', () => {
  const plan = planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 100, specials: { boi: 90, eoi: 91, eol: 92 } });
  assert.deepEqual([...imageBlock(codes, plan)], [90, 103, 100, 107, 92, 101, 102, 105, 92, 91]);
  assert.equal(plan.vocabSize, 108);
  assert.deepEqual(extractImages(imageBlock(codes, plan), plan).map((c) => [...c]), [[...codes]]);
});

test('no specials: ids are offset codes and images are cut every h·w ids', () => {
  const plan = planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 20 });
  const two = [...imageBlock(codes, plan), ...imageBlock(Int32Array.from([1, 1, 1, 2, 2, 2]), plan)];
  assert.deepEqual(two, [23, 20, 27, 21, 22, 25, 21, 21, 21, 22, 22, 22]);
  assert.deepEqual(extractImages(two, plan).map((c) => [...c]), [[3, 0, 7, 1, 2, 5], [1, 1, 1, 2, 2, 2]]);
});

test('eol only (no boi/eoi) still recovers every image', () => {
  const plan = planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 10, specials: { eol: 9 } });
  const ids = [...imageBlock(codes, plan), 2, ...imageBlock(codes, plan)];
  assert.deepEqual(ids.slice(0, 8), [13, 10, 17, 9, 11, 12, 15, 9]);
  assert.deepEqual(extractImages(ids, plan).map((c) => [...c]), [[...codes], [...codes]]);
});

test('overlapping ranges are refused with the parties named', () => {
  assert.throws(() => planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 100, specials: { boi: 104 } }), /--boi 104 lies inside the image tokens \[100, 107\]/);
  assert.throws(() => planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 100, specials: { boi: 90, eoi: 90 } }), /--eoi and --boi are both 90/);
  assert.throws(() => planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 10, textVocabSize: 20 }), /overlap the text tokenizer's vocabulary \[0, 19\]; pass --token-offset ≥ 20/);
  assert.throws(() => planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 20, textVocabSize: 20, specials: { boi: 5 } }), /--boi 5 lies inside the text tokenizer's vocabulary/);
  assert.throws(() => planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: -1 }), /--token-offset must be a non-negative integer/);
  // eos inside the text vocabulary is the text's own token: allowed.
  assert.equal(planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 20, textVocabSize: 20, specials: { eos: 2, boi: 28 } }).vocabSize, 29);
});

test('vocab.json records the range, specials and grid, and reads back to the same plan', () => {
  const plan = planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 20, textVocabSize: 20, specials: { boi: 28, eoi: 29, eol: 30, eos: 2 } });
  const json = vocabJson(plan);
  assert.deepEqual(json.image_tokens, { first: 20, last: 27, count: 8, token_offset: 20 });
  assert.deepEqual(json.special_tokens, { boi: 28, eoi: 29, eol: 30, eos: 2 });
  assert.deepEqual(json.new_special_tokens, ['boi', 'eoi', 'eol']);
  assert.equal(json.vocab_size, 31);
  assert.equal(json.layout, '<boi> (code×3 <eol>)×2 <eoi>');
  assert.deepEqual(planFromVocabJson(JSON.parse(JSON.stringify(json))), plan);
  assert.throws(() => planFromVocabJson({ format: 'x' }, 'run/vocab.json'), /run\/vocab.json: not a vqrae vocab.json/);
});

test('extractImages names the position of a broken image', () => {
  const plan = planVocab({ codebookSize: 8, grid: [2, 3], tokenOffset: 100, specials: { boi: 90, eoi: 91 } });
  assert.throws(() => extractImages([90, 100, 101, 91], plan, 'tokens.jsonl line 4'), /tokens.jsonl line 4: image ending at position 3 has 2 codes, expected 6/);
});
