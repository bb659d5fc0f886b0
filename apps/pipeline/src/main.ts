import { Command } from 'commander';
import { COMMANDS } from './commands/index.js';

/** Builds the `vqrae` program with every registered command. */
export function buildProgram(): Command {
  const program = new Command('vqrae')
    .description('VQRAE image tokenizers as streaming dataflow graphs: train, evaluate, tokenize, decode')
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) command.register(program);
  return program;
}

/** CLI entry: returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return 2;
    console.error(`vqrae: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
