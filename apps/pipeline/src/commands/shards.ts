import { checkShards, DatasetSpec, listingOf, type CropSpec } from '@vqrae/data';
import type { ErrorPolicy } from '@vqrae/graph';
import { argument, booleanOption, cropOption, defineCommand, defineCommandGroup, intOption, onErrorOption, parseIntFlag, stringOption } from '../cli/index.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { DECODE_MODE_FAST_DEFAULT, decodeModeOf } from './decode-mode-option.js';

const SHARD_SPECS = argument({ description: 'shard specs: paths, URLs, brace patterns, @list files', variadic: true, placeholder: 'spec' });

/** `vqrae shards ls <spec...>`: one line per sample (or JSON Lines), then a total. */
export const shardsLsCommand = defineCommand({
  name: 'ls',
  description: 'one line per sample (key, shard, members with bytes) and a total',
  runFolder: false,
  arguments: { specs: SHARD_SPECS },
  options: {
    json: booleanOption({ description: 'JSON Lines: one object per sample, then {"total": ...}' }),
    ...REMOTE_SHARD_OPTIONS,
  },
  async run({ options: o, log, writers }) {
    let samples = 0;
    let bytes = 0;
    const opened = new DatasetSpec({ shards: [...o.specs], remote: remoteShardOptions(o, log) }).open({ reporter: { log, skip: () => undefined } });
    for await (const sample of opened) {
      const line = listingOf(sample);
      samples += 1;
      bytes += line.bytes;
      const members = Object.entries(line.members).map(([ext, n]) => `${ext}:${n}`).join(' ');
      writers.writeOut(o.json ? `${JSON.stringify(line)}\n` : `${line.key}\t${line.shard}\t${members}\t${line.bytes}\n`);
    }
    const total = { samples, shards: opened.stats.shards, bytes };
    writers.writeOut(o.json ? `${JSON.stringify({ total })}\n` : `total: ${samples} samples in ${total.shards} shards, ${bytes} bytes\n`);
  },
});

/** `vqrae shards check <spec...>`: reads (and optionally decodes and crops) every sample; bad ones named with shard and key. */
export const shardsCheckCommand = defineCommand({
  name: 'check',
  description: 'read every sample (optionally decode and crop every image); report bad samples with shard and key',
  runFolder: false,
  arguments: { specs: SHARD_SPECS },
  options: {
    decode: booleanOption({ description: 'decode every image with sharp' }),
    size: intOption({ description: 'also crop every image to S×S (implies --decode)', min: 1, placeholder: '<S>' }),
    crop: { ...cropOption(['center', 'adm', 'exact'] as const, 'center', 'crop protocol with --size'), placeholder: '<protocol>' },
    decodeMode: DECODE_MODE_FAST_DEFAULT,
    onError: { ...onErrorOption("'throw' stops at the first bad sample (exit 1); 'skip' reports all and exits 0"), placeholder: '<policy>' },
    concurrency: stringOption({
      description: 'images decoded at once; auto: from the cores and the first image size (libvips 1 thread per image)',
      default: 'auto',
      placeholder: '<n|auto>',
    }),
    quiet: booleanOption({ description: 'print only bad samples and the summary' }),
    ...REMOTE_SHARD_OPTIONS,
  },
  async run({ options: o, log, writers }) {
    const onError = o.onError as ErrorPolicy; // the option parser enforced the choices
    const crop: CropSpec | undefined = o.size !== undefined ? { protocol: o.crop as 'center' | 'adm' | 'exact', size: o.size } : undefined;
    const concurrency = o.concurrency === 'auto' ? 'auto' : parseIntFlag(o.concurrency, '--concurrency', 1);
    const decoded = o.decode || crop !== undefined;
    const report = await checkShards([...o.specs], {
      remote: remoteShardOptions(o, log),
      decode: decoded,
      ...(crop ? { crop } : {}),
      decodeMode: decodeModeOf(o.decodeMode),
      onError,
      concurrency,
      log,
      onBad: (bad) => writers.writeErr(`bad: ${bad.reason}\n`), // the reason names shard and key
      onSample: (n) => {
        if (n % 1000 === 0) log.info(`${n} samples ok`);
      },
    });
    writers.writeOut(
      `${report.good} ${decoded ? 'images decoded' : 'samples read'} ok, ${report.bad.length} bad, ${report.shards} shards, ` +
        `${report.seconds.toFixed(2)} s, ${report.samplesPerSecond.toFixed(1)} ${decoded ? 'images' : 'samples'}/s` +
        `${report.stopped ? ' (stopped at the first bad sample; use --on-error skip to see all)' : ''}\n`,
    );
    return report.bad.length > 0 && onError === 'throw' ? 1 : 0;
  },
});

/**
 * `vqrae shards ls <spec...>` and `vqrae shards check <spec...>`: inspect WebDataset shards before spending GPU hours
 * on them. Specs are paths, URLs, brace patterns (`train-{000000..000127}.tar`) or `@list.txt` files.
 */
export const shardsCommand = defineCommandGroup({ name: 'shards', description: 'list and check WebDataset shards', commands: [shardsLsCommand, shardsCheckCommand] });
