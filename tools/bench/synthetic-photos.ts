/**
 * Deterministic ImageNet-val-like JPEG shards for benchmarks: photo-like RGB content (colour waves, a disc, texture
 * noise) at ImageNet's typical sizes (mostly 500×375, some 375×500 and 500×333), JPEG quality 90, a `.cls` label per
 * sample. Cached by (count, per-shard) under tmp/bench so repeated runs reuse them.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { ShardWriter } from '@vqrae/data';
import { Rng } from '@vqrae/nn';
import { WORKSPACE_ROOT } from '../testing/fixtures.js';

/** One synthetic photo as raw RGB. */
export function synthesizePhoto(index: number, width: number, height: number): Buffer {
  const rng = new Rng(0x5eed + index * 7919);
  const rand = (): number => rng.uniform();
  const data = Buffer.alloc(width * height * 3);
  const noise = Float32Array.from({ length: 97 * 89 }, () => (rand() + rand() + rand() - 1.5) * 14);
  const waves = [0, 1, 2].map(() => {
    const fx = 0.005 + rand() * 0.045;
    const fy = 0.005 + rand() * 0.045;
    const phase = rand() * 6.28;
    return {
      cols: Float32Array.from({ length: width }, (_, x) => Math.sin(fx * x + phase)),
      rows: Float32Array.from({ length: height }, (_, y) => Math.cos(fy * y - phase)),
    };
  });
  const cx = (0.2 + rand() * 0.6) * width;
  const cy = (0.2 + rand() * 0.6) * height;
  const r2 = ((0.1 + rand() * 0.2) * Math.min(width, height)) ** 2;
  const disc = [rand() * 255, rand() * 255, rand() * 255];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const inDisc = (x - cx) ** 2 + (y - cy) ** 2 < r2;
      const n = noise[(y % 89) * 97 + (x % 97)]!;
      for (let c = 0; c < 3; c++) {
        const wave = waves[c]!;
        const v = inDisc ? disc[c]! : 127 + 90 * wave.cols[x]! * wave.rows[y]!;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v + n)));
      }
    }
  }
  return data;
}

const SIZES: ReadonlyArray<readonly [number, number]> = [
  [500, 375], [500, 375], [500, 375], [375, 500], [500, 333],
];

/** Builds (or reuses) `count` JPEGs in shards of `perShard`; returns the shard paths. */
export async function syntheticShards(count: number, perShard: number): Promise<string[]> {
  const dir = path.join(WORKSPACE_ROOT, `tmp/bench/photos-v2-${count}-${perShard}`);
  const done = path.join(dir, 'DONE');
  const shardCount = Math.ceil(count / perShard);
  const shards = Array.from({ length: shardCount }, (_, i) => path.join(dir, `photos-${String(i).padStart(6, '0')}.tar`));
  if (fs.existsSync(done)) return shards;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const writer = new ShardWriter({ pattern: path.join(dir, 'photos-%06d.tar'), maxSamples: perShard });
  for (let i = 0; i < count; i++) {
    const [w, h] = SIZES[i % SIZES.length]!;
    const jpg = await sharp(synthesizePhoto(i, w, h), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    await writer.write({ key: `img${String(i).padStart(6, '0')}`, files: new Map([['jpg', jpg], ['cls', Buffer.from(String(i % 1000))]]) });
  }
  await writer.close();
  fs.writeFileSync(done, `${count} images\n`);
  return shards;
}
