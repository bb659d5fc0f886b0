import type { Command } from 'commander';
import { checkShards, CROP_PROTOCOLS, DatasetSpec, listingOf, type CropSpec, type DecodeMode } from '@vqrae/data';
import type { ErrorPolicy } from '@vqrae/graph';
import { createCliLogger, parseIntFlag, registerOptions, resolveOptions, UsageError, type CommandModule } from '../cli/index.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';

interface CheckFlags {
  decode?: boolean;
  size?: string;
  crop: string;
  decodeMode: string;
  onError: string;
  concurrency: string;
  quiet?: boolean;
}

/**
 * `vqrae shards ls <spec...>` and `vqrae shards check <spec...>`: inspect WebDataset shards before spending GPU hours
 * on them. Specs are paths, URLs, brace patterns (`train-{000000..000127}.tar`) or `@list.txt` files.
 */
export const shardsCommand: CommandModule = {
  name: 'shards',
  register(program: Command) {
    const shards = program.command('shards').description('list and check WebDataset shards');
    const ls = shards
      .command('ls')
      .description('one line per sample (key, shard, members with bytes) and a total')
      .argument('<spec...>', 'shard specs: paths, URLs, brace patterns, @list files')
      .option('--json', 'JSON Lines: one object per sample, then {"total": ...}');
    const lsRemote = registerOptions(ls, REMOTE_SHARD_OPTIONS);
    ls.action(async (specs: string[], flags: { json?: boolean }) => {
      let samples = 0;
      let bytes = 0;
      const log = createCliLogger(false);
      const remote = remoteShardOptions(resolveOptions(ls, REMOTE_SHARD_OPTIONS, lsRemote).values, log);
      const opened = new DatasetSpec({ shards: specs, remote }).open({ reporter: { log, skip: () => undefined } });
      for await (const sample of opened) {
        const line = listingOf(sample);
        samples += 1;
        bytes += line.bytes;
        const members = Object.entries(line.members).map(([ext, n]) => `${ext}:${n}`).join(' ');
        process.stdout.write(flags.json ? `${JSON.stringify(line)}\n` : `${line.key}\t${line.shard}\t${members}\t${line.bytes}\n`);
      }
      const total = { samples, shards: opened.stats.shards, bytes };
      process.stdout.write(flags.json ? `${JSON.stringify({ total })}\n` : `total: ${samples} samples in ${total.shards} shards, ${bytes} bytes\n`);
    });
    const check = shards
      .command('check')
      .description('read every sample (optionally decode and crop every image); report bad samples with shard and key')
      .argument('<spec...>', 'shard specs: paths, URLs, brace patterns, @list files')
      .option('--decode', 'decode every image with sharp')
      .option('--size <S>', 'also crop every image to S×S (implies --decode)')
      .option('--crop <protocol>', `crop protocol with --size: ${CROP_PROTOCOLS.filter((p) => !p.startsWith('random')).join(' | ')}`, 'center')
      .option('--decode-mode <mode>', 'fast (shrink-on-load for JPEG/WebP ≥ 2× the crop) or exact (full decode)', 'fast')
      .option('--on-error <policy>', "'throw' stops at the first bad sample (exit 1); 'skip' reports all and exits 0", 'throw')
      .option('--concurrency <n|auto>', 'images decoded at once; auto: from the cores and the first image size (libvips 1 thread per image)', 'auto')
      .option('--quiet', 'print only bad samples and the summary');
    const checkRemote = registerOptions(check, REMOTE_SHARD_OPTIONS);
    check.action(async (specs: string[], flags: CheckFlags) => {
      const onError = parsePolicy(flags.onError);
      const crop = parseCrop(flags);
      const concurrency = flags.concurrency === 'auto' ? 'auto' : parseIntFlag(flags.concurrency, '--concurrency', 1);
      const log = createCliLogger(flags.quiet ?? false);
      const remote = remoteShardOptions(resolveOptions(check, REMOTE_SHARD_OPTIONS, checkRemote).values, log);
      const report = await checkShards(specs, {
        remote,
        decode: flags.decode ?? crop !== undefined,
        ...(crop ? { crop } : {}),
        decodeMode: parseDecodeMode(flags.decodeMode),
        onError,
        concurrency,
        log,
        onBad: (bad) => process.stderr.write(`bad: ${bad.reason}\n`), // the reason names shard and key
        onSample: (n) => {
          if (n % 1000 === 0) log.info(`${n} samples ok`);
        },
      });
      const what = flags.decode || crop ? 'images decoded' : 'samples read';
      process.stdout.write(
        `${report.good} ${what} ok, ${report.bad.length} bad, ${report.shards} shards, ` +
          `${report.seconds.toFixed(2)} s, ${report.samplesPerSecond.toFixed(1)} ${flags.decode || crop ? 'images' : 'samples'}/s` +
          `${report.stopped ? ' (stopped at the first bad sample; use --on-error skip to see all)' : ''}\n`,
      );
      process.exitCode = report.bad.length > 0 && onError === 'throw' ? 1 : 0;
    });
  },
};

function parsePolicy(value: string): ErrorPolicy {
  if (value !== 'throw' && value !== 'skip') throw new UsageError(`--on-error must be throw or skip, got '${value}'`);
  return value;
}

function parseDecodeMode(value: string): DecodeMode {
  if (value !== 'fast' && value !== 'exact') throw new UsageError(`--decode-mode must be fast or exact, got '${value}'`);
  return value;
}

function parseCrop(flags: CheckFlags): CropSpec | undefined {
  if (flags.size === undefined) return undefined;
  const size = parseIntFlag(flags.size, '--size', 1);
  if (flags.crop !== 'center' && flags.crop !== 'adm' && flags.crop !== 'exact') {
    throw new UsageError(`--crop must be center, adm or exact, got '${flags.crop}'`);
  }
  return { protocol: flags.crop, size };
}
