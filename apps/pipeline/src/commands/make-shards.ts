import fs from 'node:fs/promises';
import { createRng, listImageFiles, listPatternFiles, packImages, shuffleInPlace } from '@vqrae/data';
import { argument, booleanOption, COMMON_OPTIONS, defineCommand, intOption, UsageError } from '../cli/index.js';

/**
 * `vqrae make-shards <folder|glob> <out-pattern>`: packs an image folder (recursively) or a glob into WebDataset
 * shards, with `.cls`/`.txt`/`.json` side files of the same stem as extra members. Keys are the relative paths
 * without extension. Shards are written atomically (temporary name, then rename). A pattern that already has shards
 * is refused unless `--overwrite`, which replaces them and removes the earlier run's shards beyond the new count (so
 * no stale shard is left to be read with the new ones). Symbolic links are not followed, and said so.
 */
export const makeShardsCommand = defineCommand({
  name: 'make-shards',
  description: 'pack an image folder or glob (with .cls/.txt/.json side files) into WebDataset tar shards',
  runFolder: false,
  arguments: {
    input: argument({ description: "folder (walked recursively) or glob, e.g. 'photos/**/*.jpg' (quote it)" }),
    outPattern: argument({ description: 'output path with one %d field, e.g. shards/train-%06d.tar' }),
  },
  options: {
    maxSamples: intOption({ description: 'samples per shard', default: 10_000, min: 1 }),
    maxBytes: intOption({ description: 'bytes per shard', default: 3_000_000_000, min: 1 }),
    shuffle: booleanOption({ description: 'shuffle the images (seeded) before packing, so shards mix folders/classes' }),
    seed: { ...COMMON_OPTIONS.seed, description: 'seed for --shuffle' },
    overwrite: booleanOption({ description: 'replace the shards of an earlier run with this pattern (its shards beyond the new count are removed)' }),
    quiet: booleanOption({ description: 'print only the summary' }),
  },
  examples: ['vqrae make-shards ~/imagenet/val shards/val-%06d.tar --max-samples 1000 --shuffle'],
  async run({ options: o, writers: out }) {
    const pattern = o.outPattern;
    const earlier = await listPatternFiles(pattern).catch((error: Error) => {
      throw new UsageError(`make-shards: ${error.message}`);
    });
    if (earlier.length > 0 && !o.overwrite) {
      throw new UsageError(
        `make-shards: ${earlier.length} file(s) matching ${pattern} already exist (${earlier[0]!.path}, …); ` +
          'pass --overwrite to replace them (shards of the earlier run beyond the new count are removed) or choose another pattern',
      );
    }
    const skipped: string[] = [];
    const files = await listImageFiles(o.input, { onSkipped: (file) => skipped.push(file) });
    if (skipped.length > 0) {
      skipped.sort();
      const shown = skipped.slice(0, 5).join(', ') + (skipped.length > 5 ? `, … (${skipped.length - 5} more)` : '');
      out.writeErr(`warning: make-shards: skipped ${skipped.length} symbolic link(s) (not followed: ${shown}); they may point outside '${o.input}' or loop — copy the files, or pass the target folder\n`);
    }
    if (files.length === 0) throw new UsageError(`make-shards: no images (jpg, png, webp, gif, tif) under '${o.input}'`);
    if (o.shuffle) shuffleInPlace(files, createRng(o.seed, 'make-shards'));
    const shards = await packImages(files, { pattern, maxSamples: o.maxSamples, maxBytes: o.maxBytes });
    const written = new Set(shards.map((s) => s.path));
    const stale = earlier.filter((file) => !written.has(file.path));
    for (const file of stale) await fs.rm(file.path, { force: true });
    if (!o.quiet) for (const shard of shards) out.writeOut(`${shard.path}\t${shard.samples} samples\t${shard.bytes} bytes\n`);
    const bytes = shards.reduce((sum, s) => sum + s.bytes, 0);
    if (stale.length > 0) out.writeOut(`removed ${stale.length} stale shard(s) of an earlier run: ${stale.map((f) => f.path).join(', ')}\n`);
    out.writeOut(`wrote ${files.length} samples into ${shards.length} shards (${bytes} bytes)\n`);
  },
});
