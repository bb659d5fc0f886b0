import type { Command } from 'commander';
import type { CommandModule } from '../cli/index.js';
import { mergeManifests } from '@vqrae/tokens';

/**
 * `vqrae merge-manifests <dir>`: after all ranks of a dump finished, checks that every input shard is covered exactly
 * once (all ranks present, same job, every output file intact) and writes the dataset `manifest.json`.
 */
export const mergeManifestsCommand: CommandModule = {
  name: 'merge-manifests',
  register(program: Command) {
    program
      .command('merge-manifests')
      .description('check per-rank dump manifests (every shard exactly once, files intact) and write manifest.json')
      .argument('<dir>', 'dump folder holding manifest-rank*-of-*.json')
      .option('--no-verify', 'skip re-hashing every output file')
      .addHelpText('after', '\nExamples:\n  $ vqrae merge-manifests tokens/train')
      .action(async (dir: string, flags: { verify: boolean }) => {
        const report = await mergeManifests(dir, { verify: flags.verify });
        const m = report.manifest;
        const rows = m.outputs.reduce((n, o) => n + o.rows, 0);
        const skipped = m.inputs.reduce((n, i) => n + i.skipped, 0);
        process.stdout.write(`${m.worldSize} rank(s), ${m.assigned.length} shard(s), ${m.outputs.length} file(s), ${rows} row(s), ${skipped} skipped sample(s)\n`);
        for (const problem of report.problems) process.stderr.write(`problem: ${problem}\n`);
        if (report.problems.length > 0) {
          process.stderr.write(`merge-manifests: ${report.problems.length} problem(s); manifest.json NOT written\n`);
          process.exitCode = 1;
        } else {
          process.stdout.write(`wrote ${dir}/manifest.json\n`);
        }
      });
  },
};
