import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { planFromVocabJson, ShardSequencer } from '@vqrae/tokens';
import { UsageError } from '../../src/cli/index.js';
import { writeVocabJson, type SequenceOptionValues } from '@vqrae/tokens';
import { dumpSequencing } from '../../src/dump/sequence-options.js';

const tokenizerJson = fileURLToPath(new URL('../../../../libs/tokens/test/fixtures/tiny-bpe.tokenizer.json', import.meta.url));
const model = { codebookSize: 8, grid: [2, 2] as const, inputSize: 256 };
const base: SequenceOptionValues = { tokenOffset: 0, caption: 'txt', augment: 'none' };

test('no sequence options: bare codes, today’s output', () => {
  const s = dumpSequencing(base, model);
  assert.equal(s.bare, true);
  assert.equal(s.cropSize, 256);
});

test('captions with token-name specials, packing padded with eos, vocab.json written and read back', async () => {
  const s = dumpSequencing({ ...base, tokenOffset: 20, boi: '28', eoi: '29', eol: '30', eos: '</s>', textTokenizer: tokenizerJson, template: '{boi}{image}{eoi}{caption}{eos}', pack: 12 }, model);
  assert.equal(s.bare, false);
  assert.deepEqual(s.layer.pack, { length: 12, pad: 2 });
  const seq = new ShardSequencer(s.layer);
  const rows = [...seq.add({ key: 'k', shard: 'a.tar', aug: 'none', codes: Int32Array.from([1, 0, 7, 3]), side: { txt: 'cat' } }), ...seq.finish()];
  assert.deepEqual([...rows[0]!.ids], [28, 21, 20, 30, 27, 23, 30, 29, 15, 2, 2, 2]);
  const dir = mkdtempSync(path.join(tmpdir(), 'vocab-'));
  try {
    const file = await writeVocabJson(dir, s.plan);
    const back = planFromVocabJson(JSON.parse(readFileSync(file, 'utf8')) as unknown, file);
    assert.deepEqual(back, s.plan);
    assert.equal(back.textVocabSize, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad combinations are usage errors naming the option', () => {
  const usage = (o: Partial<SequenceOptionValues>, message: RegExp): void => assert.throws(() => dumpSequencing({ ...base, ...o }, model), (e: unknown) => e instanceof UsageError && message.test((e as Error).message));
  usage({ tokenOffset: 4, boi: '5' }, /--boi 5 lies inside the image tokens \[4, 11\]/);
  usage({ textTokenizer: tokenizerJson, tokenOffset: 10 }, /overlap the text tokenizer's vocabulary \[0, 19\]/);
  usage({ pack: 8 }, /--pack needs --pad/);
  usage({ eos: '</s>' }, /token names need --text-tokenizer/);
  usage({ textTokenizer: tokenizerJson, tokenOffset: 20, eos: '<eos>' }, /'<eos>' is not a token of/);
  usage({ template: '{image}{caption}' }, /pass --text-tokenizer/);
  assert.equal(dumpSequencing({ ...base, augment: 'tencrop' }, model).cropSize, 281);
});

test('a template with {caption} checks each sample before the model: a sample without caption is that sample’s error', () => {
  const sample = (files: Record<string, string>) => ({ meta: { key: 'k7', shard: 's.tar', index: 7 }, files: new Map(Object.entries(files).map(([k, v]) => [k, new TextEncoder().encode(v)])) });
  const s = dumpSequencing({ ...base, tokenOffset: 20, textTokenizer: tokenizerJson }, model);
  assert.doesNotThrow(() => s.checkSample!(sample({ txt: 'cat' })));
  assert.throws(() => s.checkSample!(sample({ jpg: 'x' })), /--template has \{caption\} but the sample has no .txt member/);
  const fromJson = dumpSequencing({ ...base, tokenOffset: 20, textTokenizer: tokenizerJson, caption: 'json:caption' }, model);
  assert.doesNotThrow(() => fromJson.checkSample!(sample({ json: '{"caption":"red dog"}' })));
  assert.throws(() => fromJson.checkSample!(sample({ json: '{"caption":3}' })), /sample 'k7': .json field 'caption' is number/);
  assert.throws(() => fromJson.checkSample!(sample({ json: '{}' })), /no .json field 'caption'/);
  assert.equal(dumpSequencing(base, model).checkSample, undefined);
});
