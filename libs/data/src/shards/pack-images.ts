import fs from 'node:fs/promises';
import path from 'node:path';
import { ShardWriter, type ShardWriterOptions, type WrittenShard } from './writer.js';

/** Image extensions `packImages` picks up (lower-cased). */
export const IMAGE_EXTENSIONS: readonly string[] = ['jpg', 'jpeg', 'png', 'webp', 'gif', 'tif', 'tiff'];
/** Side files packed with an image when they share its stem: label, caption, metadata. */
export const SIDE_EXTENSIONS: readonly string[] = ['cls', 'txt', 'json'];

/** One image found on disk and the sample key it gets. */
export interface ImageFile {
  readonly path: string;
  readonly key: string;
}

/** Options of `listImageFiles`. */
export interface ListImageFilesOptions {
  /**
   * Called for every entry that is not followed although it may hold images: symbolic links (to files or folders;
   * they may point outside the input or loop) and special files. Hidden entries (`.name`) are ignored silently.
   */
  readonly onSkipped?: (file: string, reason: 'symlink' | 'special') => void;
}

/**
 * Lists the images of a folder (recursively) or of a glob (`*`, `**`, `?`, e.g. `photos/**\/*.jpg`), sorted by
 * path. The key is the path relative to the folder (or to the glob's fixed prefix) without extension, folders
 * kept; dots in the stem become `_` so that readers split the key back correctly. Symbolic links are not followed
 * (reported through `options.onSkipped`).
 */
export async function listImageFiles(input: string, options: ListImageFilesOptions = {}): Promise<ImageFile[]> {
  const isGlob = /[*?]/.test(input);
  if (isGlob) input = path.normalize(input);
  const root = isGlob ? globRoot(input) : input;
  const matcher = isGlob ? globToRegExp(input) : undefined;
  const files: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        if (IMAGE_EXTENSIONS.includes(extensionOf(entry.name)) && (!matcher || matcher.test(full))) files.push(full);
      } else if (options.onSkipped && (await mayHoldImages(full, matcher))) {
        options.onSkipped(full, entry.isSymbolicLink() ? 'symlink' : 'special');
      }
    }
  };
  await walk(root);
  files.sort();
  return files.map((file) => {
    const relative = path.relative(root, file).split(path.sep).join('/');
    const stem = relative.slice(0, relative.length - extensionOf(relative).length - 1);
    const slash = stem.lastIndexOf('/');
    return { path: file, key: stem.slice(0, slash + 1) + stem.slice(slash + 1).replaceAll('.', '_') };
  });
}

/** Whether a link or special file would have contributed images if followed: it names a folder or a matching image. */
async function mayHoldImages(file: string, matcher: RegExp | undefined): Promise<boolean> {
  const target = await fs.stat(file).catch(() => null);
  if (target?.isDirectory()) return true;
  return IMAGE_EXTENSIONS.includes(extensionOf(file)) && (!matcher || matcher.test(file));
}

/** Options of `packImages`: the writer's plus an optional progress callback. */
export interface PackImagesOptions extends ShardWriterOptions {
  readonly onSample?: (file: ImageFile, index: number) => void;
}

/**
 * Packs image files (and their `.cls`/`.txt`/`.json` side files with the same stem) into WebDataset shards; the
 * image member keeps its lower-cased extension, with `jpeg` → `jpg` and `tiff` → `tif`. Duplicate keys are an error.
 */
export async function packImages(files: readonly ImageFile[], options: PackImagesOptions): Promise<readonly WrittenShard[]> {
  const writer = new ShardWriter(options);
  const keys = new Set<string>();
  try {
    for (const [index, file] of files.entries()) {
      if (keys.has(file.key)) throw new Error(`packImages: two images map to key '${file.key}' (${file.path})`);
      keys.add(file.key);
      const members = new Map<string, Uint8Array>([[normalizeImageExtension(extensionOf(file.path)), await fs.readFile(file.path)]]);
      const stem = file.path.slice(0, file.path.length - extensionOf(file.path).length - 1);
      for (const side of SIDE_EXTENSIONS) {
        const data = await fs.readFile(`${stem}.${side}`).catch(() => undefined);
        if (data) members.set(side, data);
      }
      await writer.write({ key: file.key, files: members });
      options.onSample?.(file, index);
    }
    return await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function normalizeImageExtension(extension: string): string {
  return extension === 'jpeg' ? 'jpg' : extension === 'tiff' ? 'tif' : extension;
}

function extensionOf(file: string): string {
  const base = path.basename(file);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

function globRoot(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?]/.test(part)) break;
    fixed.push(part);
  }
  return fixed.length === 0 ? '.' : fixed.join('/') || '/';
}

function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*' && pattern[i + 1] === '*') {
      source += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
