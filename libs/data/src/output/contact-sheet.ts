import sharp from 'sharp';
import { forEachSink, writeFileAtomic, type SampleMeta, type Sink } from '@vqrae/graph';
import type { RgbImage } from '../image/types.js';

/** Options of {@link contactSheetSink}. */
export interface ContactSheetOptions {
  /** Output PNG path. */
  readonly file: string;
  /** Tile side, pixels. */
  readonly tile?: number;
  readonly columns?: number;
  /** Tiles kept at most (later items are counted but not drawn). */
  readonly maxTiles?: number;
  /** Sink name (default `contact-sheet`). */
  readonly name?: string;
}

/**
 * A sink composing the first `maxTiles` images (each resized to `tile`², cubic) into one PNG grid on a dark
 * background, written atomically at finish (nothing on abort).
 */
export function contactSheetSink(options: ContactSheetOptions): Sink<{ readonly image: RgbImage }, { file: string; tiles: number } | undefined> {
  const tile = options.tile ?? 128;
  const columns = options.columns ?? 5;
  const maxTiles = options.maxTiles ?? 20;
  const gap = 4;
  const tiles: Buffer[] = [];
  return forEachSink<{ readonly image: RgbImage }, { file: string; tiles: number }>(
    options.name ?? 'contact-sheet',
    async ({ image }) => {
      if (tiles.length >= maxTiles) return;
      tiles.push(await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).resize(tile, tile, { kernel: 'cubic' }).png().toBuffer());
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

/**
 * A sink collecting `row(item)` of every item and writing them as one JSON array at finish (atomically); its result
 * holds the rows. `describe` e.g. `stats-json(image-stats.json)`.
 */
export function jsonRowsSink<T extends { readonly meta: SampleMeta }, R>(
  file: string,
  row: (item: T) => R,
  options: { readonly name?: string; readonly describe?: string } = {},
): Sink<T, { file: string; images: number; rows: R[] } | undefined> {
  const rows: R[] = [];
  return forEachSink<T, { file: string; images: number; rows: R[] }>(
    options.name ?? 'json-rows',
    (item) => {
      rows.push(row(item));
    },
    {
      describe: options.describe ?? `json-rows(${file})`,
      finish: async () => {
        await writeFileAtomic(file, `${JSON.stringify(rows, null, 2)}\n`);
        return { file, images: rows.length, rows };
      },
    },
  );
}
