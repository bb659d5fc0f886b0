import sharp from 'sharp';
import { forEachSink, type Sink } from '@vqrae/graph';
import type { ImageStats, StatsItem } from './image-stages.js';
import { writeFileAtomic } from '@vqrae/graph';

export interface ContactSheetOptions {
  /** Output PNG path. */
  readonly file: string;
  /** Tile side, pixels. */
  readonly tile?: number;
  readonly columns?: number;
  /** Tiles kept at most (later items are counted but not drawn). */
  readonly maxTiles?: number;
}

/** A sink composing the first `maxTiles` images into one PNG grid, written at finish (nothing on abort). */
export function contactSheetSink(options: ContactSheetOptions): Sink<StatsItem, { file: string; tiles: number } | undefined> {
  const tile = options.tile ?? 128;
  const columns = options.columns ?? 5;
  const maxTiles = options.maxTiles ?? 20;
  const gap = 4;
  const tiles: Buffer[] = [];
  return forEachSink<StatsItem, { file: string; tiles: number }>(
    'contact-sheet',
    async (item) => {
      if (tiles.length >= maxTiles) return;
      tiles.push(
        await sharp(item.pixels, { raw: { width: item.width, height: item.height, channels: 3 } }).resize(tile, tile, { kernel: 'cubic' }).png().toBuffer(),
      );
    },
    {
      describe: `contact-sheet(${tile}px, ${columns} columns)`,
      finish: async () => {
        const rows = Math.max(1, Math.ceil(tiles.length / columns));
        const width = columns * tile + (columns + 1) * gap;
        const height = rows * tile + (rows + 1) * gap;
        const png = await sharp({ create: { width, height, channels: 3, background: '#202020' } })
          .composite(tiles.map((input, i) => ({ input, left: gap + (i % columns) * (tile + gap), top: gap + Math.floor(i / columns) * (tile + gap) })))
          .png()
          .toBuffer();
        await writeFileAtomic(options.file, png);
        return { file: options.file, tiles: tiles.length };
      },
    },
  );
}

/** A sink collecting per-image stats and writing them as JSON at finish. */
export function statsJsonSink(file: string): Sink<StatsItem, { file: string; images: number; stats: ImageStats[] } | undefined> {
  const rows: ImageStats[] = [];
  return forEachSink<StatsItem, { file: string; images: number; stats: ImageStats[] }>(
    'stats-json',
    (item) => {
      rows.push(item.stats);
    },
    {
      describe: 'stats-json(image-stats.json)',
      finish: async () => {
        await writeFileAtomic(file, `${JSON.stringify(rows, null, 2)}\n`);
        return { file, images: rows.length, stats: rows };
      },
    },
  );
}
