import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ShardWriter, unsafePathReason } from '@vqrae/data';
import { forEachSink, type Sink } from '@vqrae/graph';

/** One output image: key (may contain folders), HWC uint8 RGB pixels, and extra shard members (e.g. cls, txt). */
export interface OutputImage {
  readonly key: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  readonly extras?: ReadonlyMap<string, Uint8Array>;
}

export async function encodePng(image: { width: number; height: number; rgb: Uint8Array }): Promise<Buffer> {
  return sharp(image.rgb, { raw: { width: image.width, height: image.height, channels: 3 } }).png({ compressionLevel: 6 }).toBuffer();
}

/** Writes `<dir>/<key>.png` (folders in keys kept; unsafe keys rejected, never used as paths). */
export function pngFolderSink(dir: string): Sink<OutputImage[]> {
  let written = 0;
  return forEachSink<OutputImage[], { written: number; dir: string }>(
    'png-files',
    async (items) => {
      for (const item of items) {
        const unsafe = unsafePathReason(item.key);
        if (unsafe) throw new Error(`key '${item.key}' ${unsafe}; refusing to use it as an output path`);
        const file = path.join(dir, `${item.key}.png`);
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, await encodePng(item));
        written += 1;
      }
    },
    { describe: `png(${dir})`, finish: () => ({ written, dir }) },
  );
}

/** Writes WebDataset shards with a `png` member (+ extras) per sample, rolled over and renamed atomically. */
export function pngShardSink(pattern: string, maxSamples: number): Sink<OutputImage[]> {
  const writer = new ShardWriter({ pattern, maxSamples });
  return forEachSink<OutputImage[], { shards: number; samples: number }>(
    'png-shards',
    async (items) => {
      for (const item of items) {
        const files = new Map<string, Uint8Array>([['png', await encodePng(item)], ...(item.extras ?? new Map())]);
        await writer.write({ key: item.key, files });
      }
    },
    {
      describe: `shards(${pattern}, png)`,
      finish: async () => {
        const shards = await writer.close();
        return { shards: shards.length, samples: shards.reduce((n, s) => n + s.samples, 0) };
      },
      abort: async () => {
        await writer.abort();
      },
    },
  );
}
