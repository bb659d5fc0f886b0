// Synthetic training shards for tests of `@vqrae/train` and the `vqrae train` command (small PNGs, no input files).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { ShardWriter } from '@vqrae/data';

/** Deterministic procedural 40×40 PNG: a two-colour gradient with a bright square (index-dependent). */
export async function syntheticPng(index: number, side = 40): Promise<Uint8Array> {
  const data = new Uint8Array(side * side * 3);
  const a = [(index * 53) % 256, (index * 97) % 256, (index * 31) % 256];
  const b = [255 - a[0]!, (a[1]! + 128) % 256, (a[2]! * 3) % 256];
  const x0 = (index * 7) % (side - 12);
  const y0 = (index * 11) % (side - 12);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const t = (x + y) / (2 * side - 2);
      const inSquare = x >= x0 && x < x0 + 12 && y >= y0 && y < y0 + 12;
      for (let c = 0; c < 3; c++) {
        const value = inSquare ? 255 - (c * 60 + index * 5) % 200 : a[c]! * (1 - t) + b[c]! * t;
        data[(y * side + x) * 3 + c] = Math.round(value);
      }
    }
  }
  return new Uint8Array(await sharp(data, { raw: { width: side, height: side, channels: 3 } }).png().toBuffer());
}

/** Writes `count` synthetic images as WebDataset shards under `dir`; returns the brace spec. */
export async function writeSyntheticShards(dir: string, prefix: string, count: number, perShard: number, offset = 0): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const writer = new ShardWriter({ pattern: path.join(dir, `${prefix}-%03d.tar`), maxSamples: perShard });
  for (let i = 0; i < count; i++) {
    await writer.write({ key: `${prefix}${String(i + offset).padStart(4, '0')}`, files: { png: await syntheticPng(i + offset) } });
  }
  const shards = await writer.close();
  return shards.length === 1 ? shards[0]!.path : path.join(dir, `${prefix}-{000..${String(shards.length - 1).padStart(3, '0')}}.tar`);
}

export async function tempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `vqrae-train-${label}-`));
}
