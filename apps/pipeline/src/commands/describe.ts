import type { Command } from 'commander';
import { UsageError, type CommandModule } from '../cli/index.js';

/**
 * `vqrae describe <command> [options…]`: prints the graph a command would run, without running it (the same as
 * `vqrae <command> … --dry-run`).
 */
export const describeCommand: CommandModule = {
  name: 'describe',
  register(program: Command) {
    program
      .command('describe')
      .description('print the graph a command would run, without running it (= <command> … --dry-run)')
      .argument('<command>', 'command to describe, e.g. dump-tokens')
      .argument('[options...]', "that command's options")
      .allowUnknownOption()
      .addHelpText('after', "\nExamples:\n  $ vqrae describe dump-tokens --checkpoint ck.safetensors --data 'val-{000..009}.tar' --out tokens/val")
      .action(async (name: string, rest: string[]) => {
        if (name === 'describe') throw new UsageError('describe: describe what? (a command other than describe)');
        const { main } = await import('../main.js');
        process.exitCode = await main([process.argv[0]!, process.argv[1]!, name, ...rest, '--dry-run']);
      });
  },
};
