import { Command } from 'commander';
import { BackendError } from './backend.js';
import { UsageError } from './cli/errors.js';
import { withDefaultInterrupt } from './cli/default-interrupt.js';
import { processWriters, type CliWriters } from './cli/logger.js';
import { COMMANDS } from './commands/index.js';

/** Where the CLI writes (commander's output configuration; tests pass their own). */
export type CliOutput = CliWriters;

const processOutput: CliOutput = processWriters;

/**
 * Builds the `vqrae` program with every registered command. The output configuration is set before commands are
 * added so every command inherits it; commands read it back with `command.configureOutput()`.
 */
export function buildProgram(output: CliOutput = processOutput): Command {
  const program = new Command('vqrae')
    .description('VQRAE image tokenizers as streaming dataflow graphs: train, evaluate, tokenize, decode')
    .configureOutput(output)
    .showHelpAfterError()
    .exitOverride();
  for (const command of COMMANDS) command.register(program);
  return program;
}

/**
 * CLI entry: returns the process exit code (0 ok, 1 a run failed, 2 usage error, 130 interrupted). Commands set
 * process.exitCode; main reads it back and resets it, so the caller (bin/vqrae.mjs or a test) owns the exit code.
 */
export async function main(argv: readonly string[], output: CliOutput = processOutput): Promise<number> {
  const program = buildProgram(output);
  try {
    // Ctrl-C → exit 130 and "cancelled" for every command: commands made with defineCommand cancel cleanly
    // (withInterrupt); the others stop at once with that message instead of dying silently by signal.
    await withDefaultInterrupt(argv[2] ?? '', output.writeErr, () => program.parseAsync([...argv]));
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return 2;
    output.writeErr(`vqrae: ${error instanceof Error ? error.message : String(error)}\n`);
    return error instanceof UsageError || error instanceof BackendError ? 2 : 1;
  } finally {
    process.exitCode = undefined;
  }
}
