import fs from 'node:fs';
import path from 'node:path';
import { listImageFiles, packImages } from '@vqrae/data';
import type { DemoContext } from './demo-step.js';

/** Images held out of the demo's fine-tuning (the last ones by name). */
export const DEMO_HELD_OUT = 2;

/** The bundled images packed as WebDataset shards: a training shard and a held-out shard. */
export interface DemoShards {
  readonly train: string;
  readonly heldOut: string;
  readonly trainImages: number;
  readonly heldOutImages: number;
  /** Both shards as one spec (`a::b`), for the steps that run on every image. */
  readonly all: string;
}

/**
 * Packs the demo's images into `<run>/shards/{train,heldout}-000.tar` once per run (the steps that need shards call
 * it; the first packs, later ones reuse). Throws when there are too few images to hold some out.
 */
export async function demoShards(ctx: DemoContext): Promise<DemoShards> {
  const dir = ctx.runFolder.path('shards');
  const train = path.join(dir, 'train-000.tar');
  const heldOut = path.join(dir, 'heldout-000.tar');
  const files = (await listImageFiles(ctx.options.images)).sort((a, b) => a.key.localeCompare(b.key));
  if (files.length < DEMO_HELD_OUT + 2) throw new Error(`demo: need at least ${DEMO_HELD_OUT + 2} images in ${ctx.options.images}, found ${files.length}`);
  const trainFiles = files.slice(0, files.length - DEMO_HELD_OUT);
  const heldFiles = files.slice(files.length - DEMO_HELD_OUT);
  if (!fs.existsSync(train) || !fs.existsSync(heldOut)) {
    await packImages(trainFiles, { pattern: path.join(dir, 'train-%03d.tar') });
    await packImages(heldFiles, { pattern: path.join(dir, 'heldout-%03d.tar') });
  }
  return { train, heldOut, trainImages: trainFiles.length, heldOutImages: heldFiles.length, all: `${train}::${heldOut}` };
}
