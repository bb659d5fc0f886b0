import type { Command } from 'commander';

/**
 * One CLI command (or command group) of `vqrae`. Each lives in its own file under src/commands and is listed in
 * src/commands/index.ts. `register` adds the command to the program; the action should return/await and set
 * `process.exitCode` rather than call process.exit, so files are closed and summaries printed.
 */
export interface CommandModule {
  readonly name: string;
  register(program: Command): void;
}
