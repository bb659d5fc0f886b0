import type { Command } from 'commander';
import { createRng, listImageFiles, packImages, shuffleInPlace } from '@vqrae/data';
import { UsageError, type CommandModule } from '../cli/index.js';
import { parseIntFlag } from '../cli/int-flag.js';

interface MakeShardsFlags {
  maxSamples: string;
  maxBytes: string;
  shuffle?: boolean;
  seed: string;
  quiet?: boolean;
}

/**
 * `vqrae make-shards <folder|glob> <out-pattern>`: packs an image folder (recursively) or a glob into WebDataset
 * shards, with `.cls`/`.txt`/`.json` side files of the same stem as extra members. Keys are the relative paths
 * without extension. Shards are written atomically (temporary name, then rename).
 */
export const makeShardsCommand: CommandModule = {
  name: 'make-shards',
  register(program: Command) {
    program
      .command('make-shards')
      .description('pack an image folder or glob (with .cls/.txt/.json side files) into WebDataset tar shards')
      .argument('<input>', "folder (walked recursively) or glob, e.g. 'photos/**/*.jpg' (quote it)")
      .argument('<out-pattern>', 'output path with one %d field, e.g. shards/train-%06d.tar')
      .option('--max-samples <n>', 'samples per shard', '10000')
      .option('--max-bytes <n>', 'bytes per shard', '3000000000')
      .option('--shuffle', 'shuffle the images (seeded) before packing, so shards mix folders/classes')
      .option('--seed <n>', 'seed for --shuffle', '0')
      .option('--quiet', 'print only the summary')
      .addHelpText('after', '\nExamples:\n  $ vqrae make-shards ~/imagenet/val shards/val-%06d.tar --max-samples 1000 --shuffle')
      .action(async (input: string, pattern: string, flags: MakeShardsFlags) => {
        const maxSamples = parseIntFlag(flags.maxSamples, '--max-samples', 1);
        const maxBytes = parseIntFlag(flags.maxBytes, '--max-bytes', 1);
        const files = await listImageFiles(input);
        if (files.length === 0) throw new UsageError(`make-shards: no images (jpg, png, webp, gif, tif) under '${input}'`);
        if (flags.shuffle) shuffleInPlace(files, createRng(parseIntFlag(flags.seed, '--seed', 0), 'make-shards'));
        const shards = await packImages(files, { pattern, maxSamples, maxBytes });
        if (!flags.quiet) for (const shard of shards) process.stdout.write(`${shard.path}\t${shard.samples} samples\t${shard.bytes} bytes\n`);
        const bytes = shards.reduce((sum, s) => sum + s.bytes, 0);
        process.stdout.write(`wrote ${files.length} samples into ${shards.length} shards (${bytes} bytes)\n`);
      });
  },
};
