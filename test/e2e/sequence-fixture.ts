import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readTokenFile, type TokenSequence } from '@vqrae/tokens';
import { ROOT, tempDir, vqrae } from './helpers.js';

/** The tiny BPE tokenizer.json fixture of @vqrae/tokens (vocabulary of 20 ids, `</s>` = 2). */
export const TOKENIZER = path.join(ROOT, 'libs/tokens/test/fixtures/tiny-bpe.tokenizer.json');

/** A tiny checkpoint, 2 shards of 2 captioned photos, and their plain (bare codes) jsonl dump. */
export interface SequenceFixture {
  readonly work: string;
  readonly checkpoint: string;
  readonly data: string;
  readonly bare: TokenSequence[];
}

/** Every sequence of every `.jsonl` part of a dump folder, in file order. */
export async function jsonlSequences(dir: string): Promise<TokenSequence[]> {
  const names = (await fs.readdir(dir)).filter((f) => f.endsWith('.jsonl') && !f.startsWith('.')).sort();
  const out: TokenSequence[] = [];
  for (const name of names) out.push(...(await readTokenFile(path.join(dir, name))).sequences);
  return out;
}

export async function sequenceFixture(prefix: string): Promise<SequenceFixture> {
  const work = await tempDir(prefix);
  const checkpoint = path.join(work, 'tiny.safetensors');
  let r = vqrae(['init', '--preset', 'tiny', '--seed', '5', '--out', checkpoint]);
  assert.equal(r.status, 0, r.stderr);
  const images = path.join(work, 'images');
  await fs.mkdir(images);
  const photos = (await fs.readdir(path.join(ROOT, 'assets/images'))).filter((f) => f.endsWith('.jpg')).sort().slice(0, 4);
  const captions = ['a red cat.', 'dogs', 'red dog', 'cat'];
  for (const [i, photo] of photos.entries()) {
    await fs.copyFile(path.join(ROOT, 'assets/images', photo), path.join(images, photo));
    await fs.writeFile(path.join(images, photo.replace(/\.jpg$/, '.txt')), captions[i]!);
  }
  r = vqrae(['make-shards', images, path.join(work, 'shards/s-%03d.tar'), '--max-samples', '2', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const data = path.join(work, 'shards/s-{000..001}.tar');
  r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', path.join(work, 'bare'), '--format', 'jsonl', '--batch', '2', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  return { work, checkpoint, data, bare: await jsonlSequences(path.join(work, 'bare')) };
}
