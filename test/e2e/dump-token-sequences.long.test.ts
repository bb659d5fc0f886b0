import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { extractImages, planFromVocabJson } from '@vqrae/tokens';
import { vqrae } from './helpers.js';
import { jsonlSequences, sequenceFixture, TOKENIZER, type SequenceFixture } from './sequence-fixture.js';

let fx: SequenceFixture;
let work: string;
let checkpoint: string;
let data: string;

before(async () => {
  fx = await sequenceFixture('sequences-long');
  ({ work, checkpoint, data } = fx);
});

after(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

test('dump-tokens --pack: rows of exactly L ids, whole documents, docStarts, padding with --eos; unpacks to every image', async () => {
  const bare = fx.bare;
  const out = path.join(work, 'packed');
  const grid = bare[0]!.grid;
  const perImage = grid[0] * grid[1] + 2; // boi + codes + eoi
  const r = vqrae([
    'dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', 'jsonl', '--batch', '2', '--quiet',
    '--token-offset', '10', '--boi', '0', '--eoi', '1', '--pad', '2', '--pack', String(perImage * 2 + 1),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const rows = await jsonlSequences(out);
  // Two images per shard, both fit one row: one packed row per shard, padded with one id.
  assert.equal(rows.length, 2);
  const plan = planFromVocabJson(JSON.parse(await fs.readFile(path.join(out, 'vocab.json'), 'utf8')) as unknown);
  for (const row of rows) {
    assert.equal(row.ids.length, perImage * 2 + 1);
    assert.deepEqual([...row.docStarts!], [0, perImage]);
    assert.equal(row.ids[perImage * 2], 2);
  }
  assert.deepEqual(rows.flatMap((row) => extractImages(row.ids, plan)).map((c) => [...c]), bare.map((s) => [...s.ids]));
  const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { inputs: Array<{ seen: number; written: number }> };
  assert.deepEqual(manifest.inputs.map((i) => [i.seen, i.written]), [[2, 2], [2, 2]], 'seen/written count samples');
});

test('dump-tokens --augment flip: a none and a flip row per image, counted in the manifest; overlapping ranges refused (exit 2)', async () => {
  const bare = new Map(fx.bare.map((s) => [s.key, [...s.ids].join(',')]));
  const out = path.join(work, 'flip');
  let r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', 'jsonl,arrow', '--batch', '3', '--quiet', '--augment', 'flip']);
  assert.equal(r.status, 0, r.stderr);
  const rows = await jsonlSequences(out);
  assert.deepEqual(rows.map((s) => s.aug), ['none', 'flip', 'none', 'flip', 'none', 'flip', 'none', 'flip']);
  for (const s of rows.filter((x) => x.aug === 'none')) assert.equal([...s.ids].join(','), bare.get(s.key), `${s.key}: the none view is the plain dump`);
  assert.ok(rows.some((s, i) => s.aug === 'flip' && [...s.ids].join(',') !== [...rows[i - 1]!.ids].join(',')), 'a flipped image tokenises differently');
  const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { inputs: Array<{ seen: number; written: number; skipped: number }> };
  assert.deepEqual(manifest.inputs.map((i) => [i.seen, i.written, i.skipped]), [[4, 4, 0], [4, 4, 0]], 'seen/written count views');
  // decode of the Arrow files (the folder picks arrow first): one image per view, the flipped ones named <key>.flip
  const decoded = path.join(work, 'flip-decoded');
  r = vqrae(['decode', '--tokens', out, '--checkpoint', checkpoint, '--out', decoded, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const pngs = (await fs.readdir(decoded, { recursive: true })).filter((f) => f.endsWith('.png'));
  assert.equal(pngs.length, 8);
  assert.equal(pngs.filter((f) => /\.flip\.png$/.test(f)).length, 4, pngs.join(' '));

  r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', path.join(work, 'bad'), '--token-offset', '4', '--boi', '5', '--quiet']);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--boi 5 lies inside the image tokens \[4, /);
});

test('dump-tokens --augment tencrop: ten views per image in TenCrop order, crop protocol ⌊1.1·S⌋ in the provenance', async () => {
  const out = path.join(work, 'tencrop');
  const r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', 'jsonl', '--batch', '8', '--quiet', '--augment', 'tencrop']);
  assert.equal(r.status, 0, r.stderr);
  const rows = await jsonlSequences(out);
  assert.equal(rows.length, 40);
  assert.deepEqual(rows.slice(0, 10).map((s) => s.aug), Array.from({ length: 10 }, (_, i) => `tencrop-${i}`));
  assert.ok(rows.slice(0, 10).every((s) => s.key === rows[0]!.key));
  const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { inputs: Array<{ seen: number; written: number }>; provenance: { image_protocol: { size: number }; sequence: { augment: string } } };
  assert.deepEqual(manifest.inputs.map((i) => [i.seen, i.written]), [[20, 20], [20, 20]]);
  assert.equal(manifest.provenance.sequence.augment, 'tencrop');
  assert.equal(manifest.provenance.image_protocol.size, 35, 'tiny preset: S = 32, crop ⌊1.1·32⌋ = 35 before TenCrop(32)');
});

test('decode --tokens of a Megatron dump with offset, specials and captions gives the images of the bare dump (vocab.json strips them)', async () => {
  const out = path.join(work, 'megatron-captions');
  let r = vqrae([
    'dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', 'megatron', '--batch', '4', '--quiet',
    '--text-tokenizer', TOKENIZER, '--token-offset', '32', '--boi', '20', '--eoi', '21', '--eol', '22', '--eos', '</s>',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const idx = (await fs.readdir(out)).filter((f) => f.endsWith('.idx')).sort();
  const fromBare = path.join(work, 'decoded-bare');
  const fromMegatron = path.join(work, 'decoded-megatron');
  r = vqrae(['decode', '--tokens', path.join(work, 'bare', (await fs.readdir(path.join(work, 'bare'))).filter((f) => f.endsWith('.jsonl')).sort()[0]!), '--checkpoint', checkpoint, '--out', fromBare, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  r = vqrae(['decode', '--tokens', path.join(out, idx[0]!), '--checkpoint', checkpoint, '--out', fromMegatron, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const pngsOf = async (dir: string): Promise<string[]> => (await fs.readdir(dir, { recursive: true })).filter((f) => f.endsWith('.png')).sort();
  const pngs = await pngsOf(fromBare);
  assert.equal(pngs.length, 2);
  assert.deepEqual(await pngsOf(fromMegatron), pngs);
  for (const png of pngs) {
    const [x, y] = await Promise.all([sharp(path.join(fromMegatron, png)).raw().toBuffer(), sharp(path.join(fromBare, png)).raw().toBuffer()]);
    assert.ok(x.equals(y), `${png}: same pixels`);
  }
});
