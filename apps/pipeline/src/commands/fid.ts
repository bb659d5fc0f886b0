import { Option, type Command } from 'commander';
import { frechetDistance, readStatsNpz, statsDistanceLabel } from '@vqrae/eval';
import type { CommandModule } from '../cli/command-module.js';
import { UsageError } from '../cli/index.js';

async function run(files: readonly string[], json: boolean): Promise<number> {
  if (files.length !== 2) throw new UsageError(`fid: --stats takes exactly two .npz files, got ${files.length}`);
  // A malformed or invalid statistics file is bad input (exit 2), named by readStatsNpz's message.
  const [a, b] = await Promise.all(files.map((f) => readStatsNpz(f).catch((error: Error) => Promise.reject(new UsageError(`fid: ${error.message}`)))));
  if (a.dim !== b.dim) throw new UsageError(`fid: dimensions differ (${files[0]}: ${a.dim}, ${files[1]}: ${b.dim})`);
  let labelled: { label: string; notes: string[] };
  try {
    labelled = statsDistanceLabel(a, b, [files[0], files[1]]);
  } catch (error) {
    throw new UsageError(`fid: ${(error as Error).message}`); // two feature spaces: bad input (exit 2)
  }
  const { label, notes } = labelled;
  const started = performance.now();
  const r = frechetDistance(a, b);
  const seconds = (performance.now() - started) / 1000;
  const counts = [a.count, b.count].map((n) => (n === undefined ? 'n unknown' : `n=${n}`));
  if (json) {
    console.log(JSON.stringify({ label, ...r, dim: a.dim, counts: [a.count ?? null, b.count ?? null], seconds, notes }));
    return 0;
  }
  console.log(`${label} = ${r.distance.toFixed(6)}   (${a.dim}-d; ${files[0]}: ${counts[0]}, ${files[1]}: ${counts[1]})`);
  console.log(`  ‖Δμ‖² ${r.meanTerm.toFixed(6)}  tr Σ₁ ${r.traceA.toFixed(6)}  tr Σ₂ ${r.traceB.toFixed(6)}  tr (Σ₁Σ₂)^½ ${r.traceSqrtProduct.toFixed(6)}`);
  console.log(`  method ${r.method}, min eigenvalue ${r.minProductEigenvalue.toExponential(3)}${r.epsilon ? `, ε=${r.epsilon} added (eigen solver did not converge)` : ''}, ${seconds.toFixed(2)} s`);
  for (const note of notes) console.log(`  note: ${note}`);
  if ([a.count, b.count].some((n) => n !== undefined && n < 50_000)) console.log('  note: FID is biased upward at small n; compare only numbers with the same n (model-spec 8.5.6)');
  return 0;
}

/** `vqrae fid --stats a.npz b.npz`: Fréchet distance between two precomputed statistics files. */
export const fidCommand: CommandModule = {
  name: 'fid',
  register(program: Command): void {
    program
      .command('fid')
      .description('Fréchet distance between two statistics files (.npz with mu/sigma: pytorch-fid, ADM reference batches, vqrae fid-stats)')
      .addOption(new Option('--stats <files...>', 'two .npz statistics files').makeOptionMandatory())
      .option('--json', 'print one JSON line instead of the table', false)
      .addHelpText('after', '\nExamples:\n  $ vqrae fid --stats recon.npz VIRTUAL_imagenet256_labeled.npz\n  $ vqrae fid --stats a.npz b.npz --json')
      .action(async (opts: { stats: string[]; json: boolean }) => {
        process.exitCode = await run(opts.stats, opts.json);
      });
  },
};
