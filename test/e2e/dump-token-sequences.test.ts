import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { extractImages, imageRows, loadTextTokenizer, planFromVocabJson, readTokenFile } from '@vqrae/tokens';
import { vqrae } from './helpers.js';
import { jsonlSequences, sequenceFixture, TOKENIZER, type SequenceFixture } from './sequence-fixture.js';

let fx: SequenceFixture;
let work: string;
let checkpoint: string;
let data: string;

before(async () => {
  fx = await sequenceFixture('sequences');
  ({ work, checkpoint, data } = fx);
});

after(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

test('dump-tokens --token-offset/--boi/--eoi/--eol + captions: exact ids, vocab.json, and the codes recovered from the ids', async () => {
  const bare = new Map(fx.bare.map((s) => [s.key, s]));
  assert.equal(bare.size, 4);
  const out = path.join(work, 'captions');
  const r = vqrae([
    'dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', 'jsonl,megatron', '--batch', '2', '--quiet',
    '--text-tokenizer', TOKENIZER, '--token-offset', '32', '--boi', '20', '--eoi', '21', '--eol', '22', '--eos', '</s>',
    '--template', '{boi}{image}{eoi}{caption}{eos}',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const plan = planFromVocabJson(JSON.parse(await fs.readFile(path.join(out, 'vocab.json'), 'utf8')) as unknown);
  assert.equal(plan.tokenOffset, 32);
  assert.deepEqual(plan.specials, { boi: 20, eoi: 21, eol: 22, eos: 2 });
  assert.equal(plan.textVocabSize, 20);
  const text = loadTextTokenizer(TOKENIZER);
  const sequences = await jsonlSequences(out);
  assert.equal(sequences.length, 4);
  for (const s of sequences) {
    const codes = bare.get(s.key)!.ids;
    const expected = [20, ...imageRows(codes, plan), 21, ...text.encode(bare.get(s.key)!.side.txt!), 2];
    assert.deepEqual([...s.ids], expected, s.key);
    assert.deepEqual([...s.codes!], [...codes]);
    assert.deepEqual(extractImages(s.ids, plan).map((c) => [...c]), [[...codes]]);
  }
  // The Megatron documents hold the same ids (one document per image).
  const idx = (await fs.readdir(out)).filter((f) => f.endsWith('.idx')).sort();
  const megatron = (await Promise.all(idx.map(async (f) => (await readTokenFile(path.join(out, f))).sequences))).flat();
  assert.deepEqual(megatron.map((s) => [...s.ids]), sequences.map((s) => [...s.ids]));
});
