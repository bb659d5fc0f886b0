import fs from 'node:fs';
import type { Command } from 'commander';
import { DECODE_MODES, type DecodeMode, type RemoteShardOptions } from '@vqrae/data';
import { FID_INPUT_VARIANTS, frechetProtocol, imageStatsGraph, writeMomentsNpz, writeStatsNpz, type FeatureStatsResult, type FidInputVariant } from '@vqrae/eval';
import { EXIT, runGraph } from '@vqrae/graph';
import type { CommandModule } from '../cli/command-module.js';
import { createCliLogger, parseIntFlag, registerOptions, resolveOptions, selectBackend, UsageError, type BackendChoice } from '../cli/index.js';
import { REMOTE_SHARD_OPTIONS, remoteShardOptions } from '../cli/remote-shard-options.js';
import { ENGINE_OPTIONS, type EngineOptions } from '../engine/engine-options.js';
import { openFidInception } from '../engine/fid-inception-engine.js';

/** `vqrae fid-stats` options as a function takes them (the CLI's flags, parsed). */
export interface FidStatsOptions {
  readonly out: string;
  readonly field?: string;
  readonly weights?: string;
  readonly variant: string;
  readonly batch: string;
  readonly moments?: string;
  readonly backend: string;
  readonly force?: boolean;
  /** `--decode-mode`: recorded in the files (`decode_mode`); images go to the network at full size either way. */
  readonly decodeMode: string;
  /** Retries and cache of http(s) shards (from the shared remote-shard flags). */
  readonly remote?: RemoteShardOptions;
}

/**
 * `vqrae fid-stats` as a function: FID-Inception statistics of `spec` (shards or a folder) written to `options.out`
 * (and mergeable moments to `options.moments`). Returns the exit code; bad options throw a UsageError.
 */
export async function fidStats(spec: string, options: FidStatsOptions, engineOptions: EngineOptions): Promise<number> {
  if (options.weights === undefined) {
    throw new UsageError(
      'fid-stats: FID-Inception weights are required (--weights fid_inception.safetensors, converted from pt_inception-2015-12-05 ' +
        'with tools/convert). Without them no FID statistics can be made, and no other network is reported under the name FID.',
    );
  }
  if (!fs.existsSync(options.weights)) throw new UsageError(`fid-stats: --weights '${options.weights}' does not exist`);
  if (!FID_INPUT_VARIANTS.includes(options.variant as FidInputVariant)) {
    throw new UsageError(`fid-stats: --variant must be one of ${FID_INPUT_VARIANTS.join(', ')}, got '${options.variant}'`);
  }
  parseIntFlag(options.batch, 'fid-stats: --batch', 1);
  if (!DECODE_MODES.includes(options.decodeMode as DecodeMode)) throw new UsageError(`fid-stats: --decode-mode must be one of ${DECODE_MODES.join(', ')}, got '${options.decodeMode}'`);
  if (options.decodeMode === 'fast') console.log('fid-stats: --decode-mode fast: images reach the network at full size, so every image is decoded in full (same pixels as exact); recorded as fast');
  for (const file of [options.out, options.moments]) if (file !== undefined) checkNewOutputFile(file, options.force === true);
  const backend = await selectBackend(options.backend as BackendChoice);
  console.log(backend.message);
  // FID-Inception on the chosen engine (auto: ONNX Runtime when it loads); one line says which and why.
  const opened = await openFidInception(options.weights, options.variant as FidInputVariant, engineOptions, { backend: backend.name });
  console.log(opened.message);
  const extractor = opened.value;
  try {
    const started = performance.now();
    // images → decode → batch (one size per batch) → FID-Inception moments; Ctrl-C cancels the graph (exit 130).
    const graph = imageStatsGraph({
      images: spec,
      ...(options.field !== undefined ? { field: options.field } : {}),
      ...(options.remote ? { remote: options.remote } : {}),
      decodeMode: options.decodeMode as DecodeMode,
      batch: Number(options.batch),
      extractor,
      onDecoded: (n) => {
        if (n % 1000 === 0) console.log(`fid-stats: ${n} images`);
      },
    });
    // Quiet: fid-stats prints its own lines; a failing image is rethrown (main names it, exit 1), not logged twice.
    const outcome = await runGraph(graph, { name: 'fid-stats', log: { ...createCliLogger(true), error: () => undefined }, quiet: true });
    if (outcome.error) throw outcome.error;
    if (outcome.exitCode !== EXIT.ok) {
      process.stderr.write(`vqrae fid-stats: cancelled (interrupted); ${options.out} not written\n`);
      return outcome.exitCode;
    }
    const moments = (outcome.summary.sinks[0]!.result as FeatureStatsResult).moments;
    const stats = moments.toGaussian();
    const labels = { decodeMode: options.decodeMode };
    await writeStatsNpz(options.out, stats, extractor.space, labels);
    if (options.moments) await writeMomentsNpz(options.moments, moments, extractor.space, labels);
    console.log(`fid-stats: ${moments.count} images → ${options.out} (decode ${options.decodeMode}, ${((performance.now() - started) / 1000).toFixed(1)} s)`);
    console.log(`  ${frechetProtocol(extractor.space)}`);
    return 0;
  } finally {
    extractor.dispose();
  }
}

/** `vqrae fid-stats <images> --out ref.npz`: FID-Inception statistics (mu, sigma, n) of an image set. */
export const fidStatsCommand: CommandModule = {
  name: 'fid-stats',
  register(program: Command): void {
    const command = program
      .command('fid-stats')
      .description('FID-Inception statistics (mu, sigma in float64, .npz readable by pytorch-fid) of the images in shards or a folder')
      .argument('<images>', 'shard spec or folder')
      .requiredOption('--out <file.npz>', 'statistics file to write')
      .option('--field <ext>', 'shard member holding the image (default: first image member)')
      .option('--weights <file>', 'converted FID-Inception weights (safetensors); required')
      .option('--variant <name>', `input handling: ${FID_INPUT_VARIANTS.join(' | ')}`, 'torch-fidelity')
      .option('--batch <n>', 'images per forward pass', '16')
      .option('--moments <file.npz>', 'also write mergeable moments (n, sum, sum_outer) for combining shards/ranks')
      .option('--backend <name>', 'tfjs backend: auto | tensorflow | wasm | cpu', 'auto')
      .option('--decode-mode <mode>', 'image decoding, recorded in the .npz as decode_mode: exact (default, the reference protocol) | fast (images reach the network at full size, so the pixels are the same); vqrae fid warns when two files differ', 'exact')
      .option('--force', 'overwrite --out / --moments if they exist');
    const engineFlags = registerOptions(command, ENGINE_OPTIONS);
    const remoteFlags = registerOptions(command, REMOTE_SHARD_OPTIONS);
    command
      .addHelpText('after', "\nExamples:\n  $ vqrae fid-stats 'val-{000..049}.tar' --weights fid_inception.safetensors --out val.npz\n  $ vqrae fid-stats images/ --weights fid_inception.safetensors --engine onnx --threads 2 --out images.npz")
      .action(async (images: string, opts: FidStatsOptions) => {
        const remote = remoteShardOptions(resolveOptions(command, REMOTE_SHARD_OPTIONS, remoteFlags).values, createCliLogger(false));
        process.exitCode = await fidStats(images, { ...opts, remote }, resolveOptions(command, ENGINE_OPTIONS, engineFlags).values);
      });
  },
};

/** Refuses an output that is a folder, or an existing file without --force (statistics are references: never replaced silently). */
function checkNewOutputFile(file: string, force: boolean): void {
  const existing = fs.statSync(file, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`fid-stats: ${file} is a folder; expected a .npz file path`);
  if (existing && !force) throw new UsageError(`fid-stats: ${file} already exists; pass --force to overwrite it`);
}
