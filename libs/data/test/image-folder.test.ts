import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { collectSink, Graph } from '@vqrae/graph';
import { cropImages, decodeImages, imageFolderSource, type ImageSample, type ShardSample } from '../src/index.js';

async function withFolder(work: (dir: string) => Promise<void>): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vqrae-image-folder-'));
  const dir = path.join(root, 'photos');
  fs.mkdirSync(path.join(dir, 'nested'), { recursive: true });
  try {
    await work(dir);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

const solid = (r: number, g: number, b: number, format: 'png' | 'jpeg') =>
  sharp({ create: { width: 6, height: 4, channels: 3, background: { r, g, b } } })[format]().toBuffer();

test('imageFolderSource: image files of the folder (sorted, any case, not subfolders) as one-member samples, repeat gives #n keys', async () => {
  await withFolder(async (dir) => {
    fs.writeFileSync(path.join(dir, 'b.png'), await solid(255, 0, 0, 'png'));
    fs.writeFileSync(path.join(dir, 'a.JPG'), await solid(0, 0, 255, 'jpeg'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an image');
    fs.writeFileSync(path.join(dir, 'nested', 'c.png'), await solid(0, 255, 0, 'png'));
    const source = imageFolderSource(dir, { repeat: 2 });
    assert.equal(source.describe(), 'images(photos/*: 2 files, ×2)');
    assert.equal(source.length, 4);
    const run = await Graph.from(source).to(collectSink<ShardSample>('out')).run();
    const samples = run.sinks[0]!.result as ShardSample[];
    assert.deepEqual(samples.map((s) => [s.meta.key, s.meta.shard, s.meta.index, [...s.files.keys()]]), [
      ['a', 'photos', 0, ['jpg']],
      ['b', 'photos', 1, ['png']],
      ['a#2', 'photos', 0, ['jpg']],
      ['b#2', 'photos', 1, ['png']],
    ]);
    assert.deepEqual(samples[1]!.files.get('png'), fs.readFileSync(path.join(dir, 'b.png')), 'the file bytes, unchanged');
    assert.equal(imageFolderSource(dir, { name: 'photos' }).describe(), 'photos(photos/*: 2 files)');
  });
});

test('imageFolderSource feeds decodeImages/cropImages like a shard; an unreadable folder or a bad repeat is an error naming it', async () => {
  await withFolder(async (dir) => {
    fs.writeFileSync(path.join(dir, 'red.png'), await solid(255, 0, 0, 'png'));
    const run = await Graph.from(imageFolderSource(dir))
      .pipe(decodeImages())
      .pipe(cropImages({ crop: { protocol: 'center', size: 2 } }))
      .to(collectSink<ImageSample>('out'))
      .run();
    const [red] = run.sinks[0]!.result as ImageSample[];
    assert.deepEqual([red!.meta.key, red!.image.width, red!.image.height, [...red!.image.data.subarray(0, 3)]], ['red', 2, 2, [255, 0, 0]]);
    const missing = path.join(dir, 'missing');
    assert.throws(() => imageFolderSource(missing), (e: Error) => e.message.startsWith(`imageFolderSource: cannot read the folder '${missing}'`));
    assert.throws(() => imageFolderSource(dir, { repeat: 0 }), /repeat must be a positive integer, got 0/);
  });
});
