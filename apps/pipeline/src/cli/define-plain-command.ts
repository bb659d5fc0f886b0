import type { Command } from 'commander';
import type { Logger } from '@vqrae/graph';
import { argumentsFromCli, argumentsGiven, registerArguments, type ArgumentSpecs, type ArgumentValues } from './command-arguments.js';
import type { CommandModule } from './command-module.js';
import { createCliLogger, processWriters, writersOf, type CliWriters } from './logger.js';
import type { OptionSpecs, ResolvedOptions } from './option-spec.js';
import { registerOptions, resolveGivenOptions, resolveOptions } from './options.js';

/** The options a command without a run folder receives: its flags (typed from the specs) and its positional arguments. */
export type PlainCommandOptions<S extends OptionSpecs, A extends ArgumentSpecs> = ResolvedOptions<S> & ArgumentValues<A>;

/** What the `run` of a command without a run folder receives. */
export interface PlainCommandContext<S extends OptionSpecs, A extends ArgumentSpecs> {
  readonly command: string;
  readonly options: PlainCommandOptions<S, A>;
  /** Info on stdout (silenced when the command has a `quiet` option and it is set), warnings and errors on stderr. */
  readonly log: Logger;
  /** Where the command writes its output (the CLI's, or the caller's of `.invoke`). */
  readonly writers: CliWriters;
  /** Prints a result line on stdout, even under --quiet. */
  print(line: string): void;
}

/**
 * A command that works on the files it is given (`make-shards`, `shards ls|check`, `merge-eval`, which writes the
 * folder it merges into itself): no run folder made for it (no config.json/summary.json), no backend, no common
 * options (--config/--out/--dry-run). A flag value outside its spec is a UsageError `--flag <reason>, got '<text>'`;
 * Ctrl-C is the CLI's default (`vqrae <command>: cancelled (interrupted)`, exit 130).
 */
export interface PlainCommandDefinition<S extends OptionSpecs, A extends ArgumentSpecs> {
  readonly name: string;
  readonly description: string;
  readonly runFolder: false;
  /** Positional arguments, in order (all required). */
  readonly arguments?: A;
  readonly options: S;
  /** Shown under `Examples:` in --help. */
  readonly examples?: readonly string[];
  /** Returns the exit code (default 0); throws a UsageError (exit 2) or any other error (exit 1). */
  run(ctx: PlainCommandContext<S, A>): Promise<number | void>;
}

/** The options of a plain command run as a function: its arguments (required) and any subset of its flags. */
export type PlainInvokeOptions<S extends OptionSpecs, A extends ArgumentSpecs> = Partial<ResolvedOptions<S>> & ArgumentValues<A>;

/** A command made with `defineCommand({ runFolder: false, … })`: registered on the CLI, and callable in-process. */
export interface DefinedPlainCommand<S extends OptionSpecs, A extends ArgumentSpecs> extends CommandModule {
  /** Runs the command as its CLI action does, with `options` in place of arguments and flags; returns the exit code. */
  invoke(options: PlainInvokeOptions<S, A>, writers?: CliWriters): Promise<number>;
}

/** See {@link PlainCommandDefinition}; reached through `defineCommand`. */
export function definePlainCommand<S extends OptionSpecs, A extends ArgumentSpecs>(definition: PlainCommandDefinition<S, A>): DefinedPlainCommand<S, A> {
  const argumentSpecs = (definition.arguments ?? {}) as A;
  return {
    name: definition.name,
    register(program: Command): void {
      const command = program.command(definition.name).description(definition.description);
      registerArguments(command, argumentSpecs);
      const flags = registerOptions(command, definition.options, 'usage');
      if (definition.examples?.length) {
        command.addHelpText('after', `\nExamples:\n${definition.examples.map((e) => `  $ ${e}`).join('\n')}`);
      }
      command.action(async (...parameters: unknown[]) => {
        const options = { ...resolveOptions(command, definition.options, flags).values, ...argumentsFromCli(argumentSpecs, parameters) };
        process.exitCode = await run(definition, options, writersOf(command));
      });
    },
    invoke: async (given, writers = processWriters) => {
      const { values, rest } = argumentsGiven(definition.name, argumentSpecs, given);
      return run(definition, { ...resolveGivenOptions(definition.options, rest).values, ...values }, writers);
    },
  };
}

async function run<S extends OptionSpecs, A extends ArgumentSpecs>(
  definition: PlainCommandDefinition<S, A>,
  options: PlainCommandOptions<S, A>,
  writers: CliWriters,
): Promise<number> {
  const quiet = (options as { readonly quiet?: unknown }).quiet === true;
  const code = await definition.run({
    command: definition.name,
    options,
    log: createCliLogger(quiet, writers),
    writers,
    print: (line) => writers.writeOut(`${line}\n`),
  });
  return code ?? 0;
}
