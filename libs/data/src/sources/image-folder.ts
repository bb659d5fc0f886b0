/**
 * A folder of image files as a source of samples: each file becomes a one-member `ShardSample` (member = its
 * lower-case extension), so the library's `decodeImages` / `cropImages` take it as they take a WebDataset shard.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fromIterable, type Source } from '@vqrae/graph';
import type { ShardSample } from '../sample.js';
import { IMAGE_EXTENSIONS } from '../shards/pack-images.js';

/** Options of {@link imageFolderSource}. */
export interface ImageFolderSourceOptions {
  /** Passes over the folder (default 1); keys of later passes get `#2`, `#3`, … so that every key stays unique. */
  readonly repeat?: number;
  /** Source name (default `images`). */
  readonly name?: string;
}

/**
 * Source: the image files directly inside `dir` (not its subfolders; extensions of `IMAGE_EXTENSIONS`, any case),
 * sorted by name, `repeat` times over. Each sample has key = the file's stem (`#<pass>` from the second pass on),
 * shard = the folder's base name, index = the file's position, and one member named by its lower-case extension.
 * Files are listed when the source is made and read lazily, one per sample. A folder that cannot be read is an error
 * naming it. Use `listImageFiles`/`imageSet` for a recursive walk.
 *
 * @example
 *   Graph.from(imageFolderSource('assets/images')).pipe(decodeImages()).pipe(cropImages({ crop: { protocol: 'center', size: 256 } }))
 */
export function imageFolderSource(dir: string, options: ImageFolderSourceOptions = {}): Source<ShardSample> {
  const { repeat = 1, name = 'images' } = options;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`imageFolderSource: repeat must be a positive integer, got ${repeat}`);
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (error) {
    throw new Error(`imageFolderSource: cannot read the folder '${dir}': ${(error as Error).message}`);
  }
  const files = entries.filter((f) => IMAGE_EXTENSIONS.includes(extensionOf(f))).sort();
  const shard = path.basename(dir);
  function* samples(): Generator<ShardSample> {
    for (let pass = 0; pass < repeat; pass++) {
      for (const [index, file] of files.entries()) {
        const stem = path.basename(file, path.extname(file));
        const key = pass === 0 ? stem : `${stem}#${pass + 1}`;
        yield { meta: { key, shard, index }, files: new Map([[extensionOf(file), fs.readFileSync(path.join(dir, file))]]) };
      }
    }
  }
  const shown = repeat > 1 ? `, ×${repeat}` : '';
  return fromIterable(name, samples, { describe: `${name}(${shard}/*: ${files.length} files${shown})`, length: files.length * repeat });
}

/** `photo.JPG` → `jpg`. */
function extensionOf(file: string): string {
  return path.extname(file).slice(1).toLowerCase();
}
