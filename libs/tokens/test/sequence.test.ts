import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loadTextTokenizer } from '../src/sequence/text-tokenizer.js';
import { defaultTemplate, parseTemplate, sequenceRenderer } from '../src/sequence/template.js';
import { captionOf, parseCaptionSource } from '../src/sequence/caption.js';
import { SequencePacker } from '../src/sequence/pack.js';
import { ShardSequencer } from '../src/sequence/shard-sequencer.js';
import { extractImages, planVocab } from '../src/sequence/vocab.js';

const fixture = fileURLToPath(new URL('./fixtures/tiny-bpe.tokenizer.json', import.meta.url));
const text = loadTextTokenizer(fixture);

test('the tiny BPE fixture encodes to exact ids offline', () => {
  assert.equal(text.vocabSize, 20);
  assert.deepEqual([...text.encode('A red cat.')], [4, 19, 15, 13]);
  assert.deepEqual([...text.encode('dogs')], [17, 10]);
  assert.equal(text.idOf('</s>'), 2);
  assert.throws(() => loadTextTokenizer('/nonexistent/tokenizer.json'), /--text-tokenizer \/nonexistent\/tokenizer.json: cannot be read \(ENOENT\)/);
});

const plan = planVocab({ codebookSize: 8, grid: [2, 2], tokenOffset: 20, textVocabSize: text.vocabSize, specials: { boi: 28, eoi: 29, eol: 30, eos: 2, pad: 3 } });
const codes = Int32Array.from([7, 0, 1, 6]);

test("template '{boi}{image}{eoi}{caption}{eos}' gives one exact id sequence", () => {
  const render = sequenceRenderer(parseTemplate('{boi}{image}{eoi}{caption}{eos}'), plan, text);
  assert.deepEqual([...render({ codes, caption: 'A red cat.', where: 's' })], [28, 27, 20, 30, 21, 26, 30, 29, 4, 19, 15, 13, 2]);
  // caption first, literal text tokenised
  const captionFirst = sequenceRenderer(parseTemplate('{caption} dog{boi}{image}{eoi}{eos}'), plan, text);
  assert.deepEqual([...captionFirst({ codes, caption: 'cat', where: 's' })], [15, 17, 28, 27, 20, 30, 21, 26, 30, 29, 2]);
});

test('template errors are clear', () => {
  assert.throws(() => parseTemplate('{boi}{img}'), /unknown placeholder \{img\}/);
  assert.throws(() => parseTemplate('{caption}'), /needs exactly one \{image\}, found 0/);
  const noEos = planVocab({ codebookSize: 8, grid: [2, 2], tokenOffset: 20 });
  assert.throws(() => sequenceRenderer(parseTemplate('{image}{eos}'), noEos, text), /uses \{eos\} but --eos is not set/);
  assert.throws(() => sequenceRenderer(parseTemplate('{image}{caption}'), noEos, undefined), /pass --text-tokenizer/);
  const render = sequenceRenderer(parseTemplate('{image}{caption}'), plan, text);
  assert.throws(() => render({ codes, where: "shard a.tar sample 'k1'" }), /shard a.tar sample 'k1': --template has \{caption\} but the sample has no caption/);
  assert.equal(defaultTemplate(plan, true).source, '{boi}{image}{eoi}{caption}{eos}');
  assert.equal(defaultTemplate(noEos, false).source, '{image}');
});

test('captions come from .txt or a .json field', () => {
  const side = { txt: 'red dog', json: '{"meta":{"caption":"a cat"},"n":3}' };
  assert.equal(captionOf(side, parseCaptionSource('txt'), 'x'), 'red dog');
  assert.equal(captionOf(side, parseCaptionSource('json:meta.caption'), 'x'), 'a cat');
  assert.equal(captionOf(side, parseCaptionSource('json:missing'), 'x'), undefined);
  assert.throws(() => captionOf(side, parseCaptionSource('json:n'), "sample 'k'"), /sample 'k': .json field 'n' is number/);
  assert.throws(() => parseCaptionSource('caption'), /--caption must be 'txt' or 'json:<field>'/);
});

test('packing keeps documents whole, marks docStarts and pads', () => {
  const packer = new SequencePacker(8, 3);
  const docs = [
    { key: 'a', ids: Int32Array.from([10, 11, 12]) },
    { key: 'b', ids: Int32Array.from([20, 21, 22, 23]) },
    { key: 'c', ids: Int32Array.from([30, 31]) },
    { key: 'd', ids: Int32Array.from([40, 41, 42, 43, 44, 45, 46, 47]) },
  ];
  const rows = [...docs.flatMap((d) => packer.add(d)), ...packer.flush()];
  assert.deepEqual(
    rows.map((r) => ({ ids: [...r.ids], docStarts: [...r.docStarts], keys: r.keys })),
    [
      { ids: [10, 11, 12, 20, 21, 22, 23, 3], docStarts: [0, 3], keys: ['a', 'b'] },
      { ids: [30, 31, 3, 3, 3, 3, 3, 3], docStarts: [0], keys: ['c'] },
      { ids: [40, 41, 42, 43, 44, 45, 46, 47], docStarts: [0], keys: ['d'] },
    ],
  );
  assert.deepEqual(packer.flush(), []);
  assert.throws(() => packer.add({ key: 'big', ids: new Int32Array(9) }), /--pack 8: sample 'big' has 9 ids/);
});

test('ShardSequencer: bare codes pass through; configured layers keep codes; packed rows round-trip to codes', () => {
  const bare = new ShardSequencer({ plan: planVocab({ codebookSize: 8, grid: [2, 2] }), template: parseTemplate('{image}'), caption: { from: 'txt' } });
  const [s] = bare.add({ key: 'k0', shard: 'a.tar', aug: 'none', codes, side: {} });
  assert.deepEqual([...s!.ids], [7, 0, 1, 6]);
  assert.equal(s!.codes, undefined);

  const layer = { plan, template: parseTemplate('{boi}{image}{eoi}{caption}{eos}'), text, caption: { from: 'txt' } as const, pack: { length: 24, pad: 3 } };
  const seq = new ShardSequencer(layer);
  const images = [
    { key: 'k0', shard: 'a.tar', aug: 'none', codes, side: { txt: 'cat' } },
    { key: 'k1', shard: 'a.tar', aug: 'none', codes: Int32Array.from([1, 2, 3, 4]), side: { txt: 'red dog' } },
    { key: 'k2', shard: 'a.tar', aug: 'none', codes: Int32Array.from([5, 5, 5, 5]), side: { txt: 'a' } },
  ];
  const rows = [...images.flatMap((i) => seq.add(i)), ...seq.finish()];
  assert.deepEqual(
    rows.map((r) => ({ key: r.key, ids: [...r.ids], docStarts: [...r.docStarts!] })),
    [
      { key: 'k0', ids: [28, 27, 20, 30, 21, 26, 30, 29, 15, 2, 28, 21, 22, 30, 23, 24, 30, 29, 19, 17, 2, 3, 3, 3], docStarts: [0, 10] },
      { key: 'k2', ids: [28, 25, 25, 30, 25, 25, 30, 29, 4, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], docStarts: [0] },
    ],
  );
  assert.deepEqual(rows.flatMap((r) => extractImages(r.ids, plan)).map((c) => [...c]), images.map((i) => [...i.codes]));
});

test('a token without id (WordLevel model, unknown word) is refused, not written as id 0', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'wordlevel-'));
  try {
    const file = join(dir, 'tokenizer.json');
    writeFileSync(file, JSON.stringify({ version: '1.0', added_tokens: [], normalizer: null, pre_tokenizer: { type: 'Whitespace' }, post_processor: null, decoder: null, model: { type: 'WordLevel', vocab: { '<unk>': 0, cat: 1 }, unk_token: '<unk>' } }));
    const wordLevel = loadTextTokenizer(file);
    assert.deepEqual([...wordLevel.encode('cat cat')], [1, 1]);
    assert.throws(() => wordLevel.encode('cat dog'), /token "dog" of "cat dog" has no id/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
