import fs from 'node:fs/promises';
import path from 'node:path';
import { forEachSink, removeStaleTemporaries, writeFileAtomic, type OpenForWrite, type Sink } from '@vqrae/graph';
import { unsafePathReason } from '../shards/member-name.js';
import { ShardWriter } from '../shards/writer.js';
import { OutputNames, type OutputNaming } from './output-names.js';
import { encodePng } from './png.js';

/**
 * One output image: key (may contain folders), the shard it came from (for messages and `prefixShard` naming), HWC
 * uint8 RGB pixels, and extra shard members (e.g. cls, txt).
 */
export interface OutputImage {
  readonly key: string;
  readonly shard?: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  readonly extras?: ReadonlyMap<string, Uint8Array>;
}

/** Options of the PNG sinks: naming, sink name, and (tests) how files are opened. */
export interface PngSinkOptions extends OutputNaming {
  /** Sink name, unique within a graph (default `png-files` / `png-shards`). */
  readonly name?: string;
  readonly open?: OpenForWrite;
}

/**
 * Writes `<dir>/<key>.png` (folders in keys kept; unsafe keys rejected, never used as paths), each through a temporary
 * file and a rename, so a failure (full disk) never leaves a partial PNG under its final name; the error names the
 * file. A key seen twice is refused (see {@link OutputNames}). Temporaries of killed runs are removed per folder.
 */
export function pngFolderSink(dir: string, options: PngSinkOptions = {}): Sink<OutputImage[]> {
  let written = 0;
  const names = new OutputNames(options);
  const swept = new Set<string>();
  return forEachSink<OutputImage[], { written: number; dir: string }>(
    options.name ?? 'png-files',
    async (items) => {
      for (const item of items) {
        const name = names.take(item.key, item.shard);
        const unsafe = unsafePathReason(name);
        if (unsafe) throw new Error(`key '${item.key}' ${unsafe}; refusing to use it as an output path`);
        const file = path.join(dir, `${name}.png`);
        const folder = path.dirname(file);
        if (!swept.has(folder)) {
          await fs.mkdir(folder, { recursive: true });
          await removeStaleTemporaries(folder, (f) => f.endsWith('.png') === false && f.includes('.png.tmp-'));
          swept.add(folder);
        }
        // No fsync per image (one per PNG would dominate on real disks): the rename alone keeps partial files out of
        // final names while the system runs; the run's records are fsynced.
        await writeFileAtomic(file, await encodePng(item), { fsync: false, sweep: false, ...(options.open ? { open: options.open } : {}) });
        written += 1;
      }
    },
    { describe: `png(${dir}${options.prefixShard ? ', <shard>/<key>' : ''})`, finish: () => ({ written, dir }) },
  );
}

/** Writes WebDataset shards with a `png` member (+ extras) per sample, rolled over and renamed atomically; keys seen twice are refused. */
export function pngShardSink(pattern: string, maxSamples: number, naming: OutputNaming & { readonly name?: string } = {}): Sink<OutputImage[]> {
  const writer = new ShardWriter({ pattern, maxSamples });
  const names = new OutputNames(naming);
  return forEachSink<OutputImage[], { shards: number; samples: number }>(
    naming.name ?? 'png-shards',
    async (items) => {
      for (const item of items) {
        const key = names.take(item.key, item.shard);
        const files = new Map<string, Uint8Array>([['png', await encodePng(item)], ...(item.extras ?? new Map())]);
        await writer.write({ key, files });
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
