import fs from 'node:fs/promises';
import path from 'node:path';
import { encodePng } from '@vqrae/data';
import { writeFileAtomic, type SampleMeta, type Sink } from '@vqrae/graph';
import { referencePixels, type ReconstructionRecord } from './reconstruction-record.js';

/** One preview written by {@link previewSink}: PNG files relative to the run folder. */
export interface PreviewEntry {
  readonly key: string;
  readonly shard: string;
  readonly original: string;
  readonly reconstruction: string;
}

/** `previews/previews.json`: the preview pairs and their image size. */
export interface PreviewIndex {
  readonly size: number;
  readonly previews: readonly PreviewEntry[];
}

/** Configuration of `previewSink`. */
export interface PreviewSinkOptions {
  /** Run folder: PNGs and `previews.json` go to `<dir>/previews/`. */
  readonly dir: string;
  /** Pairs kept (the first ones of the pass, or of every `every`-th sample). */
  readonly count: number;
  /** Keep samples 0, every, 2·every, … of the pass (e.g. one crop per photo when each photo has `every` crops); default 1. */
  readonly every?: number;
  /** Default `previews`. */
  readonly name?: string;
}

/**
 * Sink: writes the first `count` reference/reconstruction pairs (of every `every`-th sample) as PNGs (`previews/0000-original.png`,
 * `…-reconstruction.png`, atomically) and lists them in `previews/previews.json`, the contact sheet of the report
 * (`reportImageGrid` reads them back).
 */
export function previewSink(options: PreviewSinkOptions): Sink<ReconstructionRecord, PreviewIndex> {
  const { dir, count } = options;
  const every = options.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new Error(`previewSink: every must be a positive integer, got ${every}`);
  const entries: PreviewEntry[] = [];
  let seen = 0;
  let size = 0;
  const folder = path.join(dir, 'previews');
  const png = async (file: string, rgb: Uint8Array): Promise<void> => {
    await writeFileAtomic(path.join(dir, file), await encodePng({ width: size, height: size, rgb }), { fsync: false, sweep: false });
  };
  const write = async (meta: SampleMeta, original: Uint8Array, reconstruction: Uint8Array): Promise<void> => {
    const stem = String(entries.length).padStart(4, '0');
    const entry = { key: meta.key, shard: meta.shard, original: `previews/${stem}-original.png`, reconstruction: `previews/${stem}-reconstruction.png` };
    await png(entry.original, original);
    await png(entry.reconstruction, reconstruction);
    entries.push(entry);
  };
  return {
    name: options.name ?? 'previews',
    describe: () => `previews(first ${count}${every > 1 ? `, every ${every}th sample` : ''})`,
    async write(batch) {
      if (entries.length >= count) return;
      size = batch.outputSize;
      await fs.mkdir(folder, { recursive: true });
      for (let i = 0; i < batch.metas.length && entries.length < count; i++, seen++) {
        if (seen % every === 0) await write(batch.metas[i]!, referencePixels(batch, i), batch.decoded[i]!);
      }
    },
    async finish() {
      const index: PreviewIndex = { size, previews: entries };
      if (count > 0) {
        await fs.mkdir(folder, { recursive: true });
        await writeFileAtomic(path.join(folder, 'previews.json'), `${JSON.stringify(index, null, 2)}\n`);
      }
      return index;
    },
  };
}
