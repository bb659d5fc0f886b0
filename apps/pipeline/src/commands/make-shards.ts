import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { createRng, listImageFiles, listPatternFiles, packImages, shuffleInPlace } from '@vqrae/data';
import { UsageError, writersOf, type CommandModule } from '../cli/index.js';
import { parseIntFlag } from '../cli/int-flag.js';

interface MakeShardsFlags {
  maxSamples: string;
  maxBytes: string;
  shuffle?: boolean;
  seed: string;
  quiet?: boolean;
  overwrite?: boolean;
}

/**
 * `vqrae make-shards <folder|glob> <out-pattern>`: packs an image folder (recursively) or a glob into WebDataset
 * shards, with `.cls`/`.txt`/`.json` side files of the same stem as extra members. Keys are the relative paths
 * without extension. Shards are written atomically (temporary name, then rename). A pattern that already has shards
 * is refused unless `--overwrite`, which replaces them and removes the earlier run's shards beyond the new count (so
 * no stale shard is left to be read with the new ones). Symbolic links are not followed, and said so.
 */
export const makeShardsCommand: CommandModule = {
  name: 'make-shards',
  register(program: Command) {
    const command = program
      .command('make-shards')
      .description('pack an image folder or glob (with .cls/.txt/.json side files) into WebDataset tar shards')
      .argument('<input>', "folder (walked recursively) or glob, e.g. 'photos/**/*.jpg' (quote it)")
      .argument('<out-pattern>', 'output path with one %d field, e.g. shards/train-%06d.tar')
      .option('--max-samples <n>', 'samples per shard', '10000')
      .option('--max-bytes <n>', 'bytes per shard', '3000000000')
      .option('--shuffle', 'shuffle the images (seeded) before packing, so shards mix folders/classes')
      .option('--seed <n>', 'seed for --shuffle', '0')
      .option('--overwrite', 'replace the shards of an earlier run with this pattern (its shards beyond the new count are removed)')
      .option('--quiet', 'print only the summary')
      .addHelpText('after', '\nExamples:\n  $ vqrae make-shards ~/imagenet/val shards/val-%06d.tar --max-samples 1000 --shuffle');
    command.action(async (input: string, pattern: string, flags: MakeShardsFlags) => {
      const out = writersOf(command);
      const maxSamples = parseIntFlag(flags.maxSamples, '--max-samples', 1);
      const maxBytes = parseIntFlag(flags.maxBytes, '--max-bytes', 1);
      const seed = parseIntFlag(flags.seed, '--seed', 0);
      const earlier = await listPatternFiles(pattern).catch((error: Error) => {
        throw new UsageError(`make-shards: ${error.message}`);
      });
      if (earlier.length > 0 && !flags.overwrite) {
        throw new UsageError(
          `make-shards: ${earlier.length} file(s) matching ${pattern} already exist (${earlier[0]!.path}, …); ` +
            'pass --overwrite to replace them (shards of the earlier run beyond the new count are removed) or choose another pattern',
        );
      }
      const skipped: string[] = [];
      const files = await listImageFiles(input, { onSkipped: (file) => skipped.push(file) });
      if (skipped.length > 0) {
        skipped.sort();
        const shown = skipped.slice(0, 5).join(', ') + (skipped.length > 5 ? `, … (${skipped.length - 5} more)` : '');
        out.writeErr(`warning: make-shards: skipped ${skipped.length} symbolic link(s) (not followed: ${shown}); they may point outside '${input}' or loop — copy the files, or pass the target folder\n`);
      }
      if (files.length === 0) throw new UsageError(`make-shards: no images (jpg, png, webp, gif, tif) under '${input}'`);
      if (flags.shuffle) shuffleInPlace(files, createRng(seed, 'make-shards'));
      const shards = await packImages(files, { pattern, maxSamples, maxBytes });
      const written = new Set(shards.map((s) => s.path));
      const stale = earlier.filter((file) => !written.has(file.path));
      for (const file of stale) await fs.rm(file.path, { force: true });
      if (!flags.quiet) for (const shard of shards) out.writeOut(`${shard.path}\t${shard.samples} samples\t${shard.bytes} bytes\n`);
      const bytes = shards.reduce((sum, s) => sum + s.bytes, 0);
      if (stale.length > 0) out.writeOut(`removed ${stale.length} stale shard(s) of an earlier run: ${stale.map((f) => f.path).join(', ')}\n`);
      out.writeOut(`wrote ${files.length} samples into ${shards.length} shards (${bytes} bytes)\n`);
    });
  },
};
