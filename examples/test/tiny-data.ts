import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ShardWriter } from '@vqrae/data';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';
import { WORKSPACE_ROOT } from '../../tools/testing/fixtures.js';

/** What the examples run on: a seeded tiny checkpoint and the bundled photos in 3 shards (with `.cls` labels). */
export interface TinyData {
  readonly dir: string;
  readonly checkpoint: string;
  readonly shards: string;
  readonly images: number;
}

export async function makeTinyData(): Promise<TinyData> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vqrae-examples-'));
  const checkpoint = path.join(dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 3 });
  try {
    await saveCheckpoint(model, checkpoint);
  } finally {
    model.dispose();
  }
  const photos = (await fs.readdir(path.join(WORKSPACE_ROOT, 'assets/images'))).filter((f) => f.endsWith('.jpg')).sort();
  const writer = new ShardWriter({ pattern: path.join(dir, 's-%03d.tar'), maxSamples: 4 });
  for (const [i, photo] of photos.entries()) {
    const jpg = await fs.readFile(path.join(WORKSPACE_ROOT, 'assets/images', photo));
    await writer.write({ key: photo.replace(/\.jpg$/, ''), files: { jpg, cls: new TextEncoder().encode(String(i % 3)) } });
  }
  const shards = await writer.close();
  return { dir, checkpoint, shards: path.join(dir, `s-{000..${String(shards.length - 1).padStart(3, '0')}}.tar`), images: photos.length };
}
