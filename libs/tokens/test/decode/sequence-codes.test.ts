import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { imageBlock, planVocab, vocabJson, type TokenSequence } from '../../src/index.js';
import { sequenceCodes, vocabPlanBeside } from '../../src/decode/sequence-codes.js';

const plan = planVocab({ codebookSize: 8, grid: [2, 2], tokenOffset: 30, textVocabSize: 20, specials: { boi: 20, eoi: 21, eol: 22, eos: 2 } });
const a = Int32Array.from([1, 0, 7, 3]);
const b = Int32Array.from([5, 5, 6, 6]);
const seq = (over: Partial<TokenSequence>): TokenSequence => ({ key: 'k', shard: 's.tar', aug: 'none', ids: new Int32Array(), grid: [2, 2], side: {}, ...over });

test('decode strips offset, specials and caption ids with vocab.json; packed rows give one image per document', () => {
  const caption = [4, 19, 15];
  const one = seq({ ids: Int32Array.from([...imageBlock(a, plan), ...caption, 2]) });
  assert.deepEqual(sequenceCodes(one, plan, 'f.bin').map((r) => [r.key, [...r.codes]]), [['k', [1, 0, 7, 3]]]);
  const packed = seq({ ids: Int32Array.from([...imageBlock(a, plan), 2, ...imageBlock(b, plan), 2, 2, 2]), docStarts: Int32Array.of(0, 11) });
  assert.deepEqual(sequenceCodes(packed, plan, 'f.bin').map((r) => [r.key, [...r.codes]]), [['k', [1, 0, 7, 3]], ['k#1', [5, 5, 6, 6]]]);
  // kept codes win; augmented views get their own key; bare dumps pass through
  assert.deepEqual(sequenceCodes(seq({ ids: one.ids, codes: a, aug: 'flip' }), plan, 'f').map((r) => [r.key, [...r.codes]]), [['k.flip', [1, 0, 7, 3]]]);
  assert.deepEqual([...sequenceCodes(seq({ ids: a }), undefined, 'f')[0]!.codes], [1, 0, 7, 3]);
  assert.throws(() => sequenceCodes(seq({ ids: Int32Array.of(4, 19, 2) }), plan, 'f.jsonl'), /f.jsonl \(key 'k'\): no image tokens/);
});

test('vocab.json is found beside a token file; a broken one is named', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vocab-beside-'));
  try {
    assert.equal(await vocabPlanBeside(path.join(dir, 'part.jsonl')), undefined);
    writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(vocabJson(plan)));
    assert.deepEqual(await vocabPlanBeside(path.join(dir, 'part.jsonl')), plan);
    writeFileSync(path.join(dir, 'vocab.json'), '{"format":');
    await assert.rejects(vocabPlanBeside(path.join(dir, 'part.jsonl')), /vocab.json: not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
