/**
 * Shared CLI helpers for `vqrae` command files: define a command with typed options (flags + --config file) and
 * backend selection. The run folder, runGraph, Ctrl-C and the summary table come from `@vqrae/graph`.
 *
 * A command file is usually just:
 *   export const myCommand = defineCommand({ name, description, options: { size: intOption({...}) }, run: async (ctx) => {
 *     await ctx.runGraph('main', Graph.from(source).pipe(stage).to(sink));
 *   } });
 */
export type { CommandModule } from './command-module.js';
export { defineCommandGroup, type CommandGroupDefinition } from './command-group.js';
export { argument, type ArgumentSpec, type ArgumentSpecs, type ArgumentValues } from './command-arguments.js';
export type { DefinedPlainCommand, PlainCommandContext, PlainCommandDefinition, PlainCommandOptions, PlainInvokeOptions } from './define-plain-command.js';
export { defineCommand, type CommandContext, type CommandDefinition, type CommandOptions, type CommandResult, type DefinedCommand } from './define-command.js';
export {
  intOption,
  numberOption,
  stringOption,
  booleanOption,
  pathOption,
  kebabCase,
  type OptionSpec,
  type OptionSpecs,
  type ResolvedOptions,
  type ValueSource,
} from './option-spec.js';
export { COMMON_OPTIONS, registerOptions, type InvalidFlagStyle, resolveGivenOptions, resolveOptions, type CommonOptions, type Resolved } from './options.js';
export { loadConfigFile, checkConfigValues } from './config-file.js';
export { UsageError, usageErrorForRunFolder, withRunFolderUsage } from './errors.js';
export { CancelledError, throwIfCancelled } from './cancelled.js';
export { parseIntFlag } from './int-flag.js';
export { createCliLogger, writersOf, type CliWriters } from './logger.js';
export { selectBackend, loadTf, BackendError, type BackendChoice, type BackendName, type BackendSelection, type ModuleLoader } from '../backend.js';
export { batchOption, checkpointOption, cropOption, dataOption, onErrorOption, requireOptions } from './option-groups.js';
export { dumpOptions, rankFromOptions, rankOptions } from './option-groups.js';
