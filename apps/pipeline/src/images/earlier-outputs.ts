import fs from 'node:fs/promises';
import path from 'node:path';
import { listPatternFiles } from '@vqrae/data';
import { UsageError } from '../cli/errors.js';

/** Where an image-writing command puts its outputs: a folder of PNGs or a shard pattern. */
export type ImageOutputTarget = { readonly folder: string } | { readonly pattern: string };

/**
 * Before `decode`/`reconstruct` write images: outputs of an earlier run in the same place would be mixed with the
 * new ones without a word, so they are refused (UsageError naming the place and the count) unless `overwrite`, which
 * removes them first (the folder, or the files the shard pattern produced). A dry run neither refuses nor removes.
 * Returns how many files were removed.
 */
export async function clearEarlierOutputs(command: string, target: ImageOutputTarget, options: { overwrite: boolean; dryRun: boolean }): Promise<number> {
  if (options.dryRun) return 0;
  const where = 'folder' in target ? target.folder : target.pattern;
  const files = 'folder' in target ? await filesUnder(target.folder) : (await listPatternFiles(target.pattern)).map((f) => f.path);
  if (files.length === 0) return 0;
  if (!options.overwrite) {
    throw new UsageError(`${command}: ${where} already holds ${files.length} file(s) of an earlier run (${files[0]}, …); pass --overwrite to replace them or choose another --out`);
  }
  if ('folder' in target) await fs.rm(target.folder, { recursive: true, force: true });
  else for (const file of files) await fs.rm(file, { force: true });
  return files.length;
}

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await fs.readdir(folder, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.filter((e) => !e.isDirectory()).map((e) => path.join(e.parentPath, e.name)).sort();
}
