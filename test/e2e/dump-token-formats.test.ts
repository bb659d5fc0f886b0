import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { readTokenFile, TOKEN_FORMATS } from '@vqrae/tokens';
import { ROOT, tempDir, vqrae } from './helpers.js';

let work: string;
let checkpoint: string;
let data: string;

/** The file a reader opens for each format (megatron: the `.idx` of a `.bin`/`.idx` pair). */
const OPENED = { arrow: '.arrow', parquet: '.parquet', megatron: '.idx', wds: '.tar', jsonl: '.jsonl' } as const;

/** key → ids (comma-joined) of every row of one format in a dump folder, plus the row count. */
async function readFormat(dir: string, format: keyof typeof OPENED): Promise<{ byKey: Map<string, string>; rows: number }> {
  const byKey = new Map<string, string>();
  let rows = 0;
  for (const name of (await fs.readdir(dir)).filter((f) => f.endsWith(OPENED[format]) && !f.startsWith('.')).sort()) {
    const read = await readTokenFile(path.join(dir, name));
    assert.equal(read.format, format);
    for (const s of read.sequences) {
      rows += 1;
      byKey.set(s.key, Array.from(s.ids).join(','));
    }
  }
  return { byKey, rows };
}

before(async () => {
  work = await tempDir('formats');
  checkpoint = path.join(work, 'tiny.safetensors');
  let r = vqrae(['init', '--preset', 'tiny', '--seed', '3', '--out', checkpoint]);
  assert.equal(r.status, 0, r.stderr);
  const images = path.join(work, 'images');
  await fs.mkdir(images);
  const photos = (await fs.readdir(path.join(ROOT, 'assets/images'))).filter((f) => f.endsWith('.jpg')).sort().slice(0, 6);
  for (const [i, photo] of photos.entries()) {
    await fs.copyFile(path.join(ROOT, 'assets/images', photo), path.join(images, photo));
    await fs.writeFile(path.join(images, photo.replace(/\.jpg$/, '.txt')), `photo number ${i}`);
  }
  // 6 photos → 3 shards of 2 images, each with a caption.
  r = vqrae(['make-shards', images, path.join(work, 'shards/s-%03d.tar'), '--max-samples', '2', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  data = path.join(work, 'shards/s-{000..002}.tar');
});

after(async () => {
  if (work) await fs.rm(work, { recursive: true, force: true });
});

test('dump-tokens --format with all five formats: each reads back with the same ids per key; manifest lists and verifies every file', async () => {
  const out = path.join(work, 'all');
  const r = vqrae(['dump-tokens', '--checkpoint', checkpoint, '--data', data, '--out', out, '--format', TOKEN_FORMATS.join(','), '--batch', '2', '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  const reference = await readFormat(out, 'arrow');
  assert.equal(reference.rows, 6);
  for (const format of TOKEN_FORMATS) {
    const dump = await readFormat(out, format);
    assert.equal(dump.rows, 6, `${format}: row count`);
    assert.deepEqual(dump.byKey, reference.byKey, `${format}: ids per key`);
  }
  const manifest = JSON.parse(await fs.readFile(path.join(out, 'manifest.json'), 'utf8')) as { outputs: Array<{ file: string; sha256: string }>; inputs: Array<{ files: string[] }> };
  // per shard: .arrow .parquet .bin .idx .megatron.meta.json .tar .wds.meta.json .jsonl .jsonl.meta.json
  assert.equal(manifest.inputs.length, 3);
  for (const input of manifest.inputs) assert.equal(input.files.length, 9, input.files.join(' '));
  assert.equal(manifest.outputs.length, 27);
  assert.ok(manifest.outputs.every((o) => /^[0-9a-f]{64}$/.test(o.sha256)));
  const merged = vqrae(['merge-manifests', out]);
  assert.equal(merged.status, 0, merged.stderr + merged.stdout);
  const parquet = await readTokenFile(path.join(out, manifest.outputs.find((o) => o.file.endsWith('.parquet'))!.file));
  assert.match(parquet.metadata.get('vqrae.checkpoint_sha256') ?? '', /[0-9a-f]{64}/, 'provenance in the Parquet metadata');
  assert.match(parquet.sequences[0]!.side.txt ?? '', /^photo number \d$/);
});
