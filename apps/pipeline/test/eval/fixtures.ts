import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listImageFiles, packImages } from '@vqrae/data';
import { createVqrae, presetConfig, saveCheckpoint } from '@vqrae/tokenizer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The eval lib's width/16 FID-Inception test weights (labelled FD by the lib, never rFID). */
export const FID_W16_WEIGHTS = path.join(root, 'libs/eval/test/fixtures/fid/fid_inception_w16_weights.safetensors');

/** A temp folder with a seeded tiny checkpoint and the bundled images packed 3 per shard (10 images, 4 shards). */
export interface EvalFixture {
  readonly dir: string;
  readonly checkpoint: string;
  readonly data: string;
  readonly shards: readonly string[];
  cleanup(): Promise<void>;
}

export async function evalFixture(label: string): Promise<EvalFixture> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), `vqrae-eval-${label}-`));
  const checkpoint = path.join(dir, 'tiny.safetensors');
  const model = await createVqrae(presetConfig('tiny'), { seed: 1 });
  try {
    await saveCheckpoint(model, checkpoint);
  } finally {
    model.dispose();
  }
  const files = await listImageFiles(path.join(root, 'assets/images'));
  const written = await packImages(files, { pattern: path.join(dir, 'val-%03d.tar'), maxSamples: 3 });
  const last = String(written.length - 1).padStart(3, '0');
  return {
    dir,
    checkpoint,
    data: path.join(dir, `val-{000..${last}}.tar`),
    shards: written.map((s) => s.path),
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
}
