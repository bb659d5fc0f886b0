import type { CommandModule } from '../cli/command-module.js';

/** Every `vqrae` command, in the order `vqrae --help` lists them. Add new command modules here. */
export const COMMANDS: readonly CommandModule[] = [];
