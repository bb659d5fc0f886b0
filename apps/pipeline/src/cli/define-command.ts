import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import {
  archivePreviousRecords,
  createRunFolder,
  EXIT,
  removeCreatedFolder,
  restoreRecords,
  runGraph,
  snapshotRecords,
  withInterrupt,
  writeRunSummary,
  type Graph,
  type GraphRunOutcome,
  type Logger,
  type RunFolder,
} from '@vqrae/graph';
import { selectBackend, type BackendChoice, type BackendSelection } from '../backend.js';
import type { ArgumentSpecs } from './command-arguments.js';
import type { CommandModule } from './command-module.js';
import { definePlainCommand, type DefinedPlainCommand, type PlainCommandDefinition } from './define-plain-command.js';
import { createCliLogger, processWriters, writersOf, type CliWriters } from './logger.js';
import { COMMON_OPTIONS, registerOptions, resolveGivenOptions, resolveOptions, type CommonOptions, type Resolved } from './options.js';
import type { OptionSpecs, ResolvedOptions, ValueSource } from './option-spec.js';
import { BackendError } from '../backend.js';
import { CancelledError } from './cancelled.js';
import { UsageError, withRunFolderUsage } from './errors.js';

/** What a command's `run` receives. */
export interface CommandContext<S extends OptionSpecs> {
  readonly command: string;
  /** Resolved options (defaults < --config file < flags), typed from the spec, plus the common ones. */
  readonly options: ResolvedOptions<S & typeof COMMON_OPTIONS>;
  readonly sources: Readonly<Record<string, ValueSource>>;
  readonly runFolder: RunFolder;
  readonly backend: BackendSelection;
  readonly log: Logger;
  /** Prints a result line on stdout, even under --quiet (the run's answer, not chatter). */
  print(line: string): void;
  /** runGraph() bound to this run (run folder, logger, quiet). */
  runGraph(name: string, graph: Graph): Promise<GraphRunOutcome>;
}

/** What a command's `run` may return: its exit code (default: derived from the graphs run) and extra summary fields. */
export interface CommandResult {
  readonly exitCode?: number;
  /** Merged into summary.json. */
  readonly summary?: Record<string, unknown>;
}

export interface CommandDefinition<S extends OptionSpecs> {
  readonly name: string;
  readonly description: string;
  /** Command-specific options (the common ones are added automatically). */
  readonly options: S;
  /** Shown under `Examples:` in --help. */
  readonly examples?: readonly string[];
  /**
   * True for an invocation that only reads its folder (a status query): it writes no records (config.json,
   * summary.json, history.jsonl stay as they are, so processes working in the folder meanwhile keep theirs).
   */
  readonly readOnly?: (options: ResolvedOptions<S & typeof COMMON_OPTIONS>) => boolean;
  run(ctx: CommandContext<S>): Promise<CommandResult | void>;
}

/**
 * Turns a command definition into a CommandModule (also callable in-process, see {@link DefinedCommand}): registers flags (its own + COMMON_OPTIONS) with typed parsing,
 * resolves --config, creates the run folder and saves config.json, selects the backend (and prints which), runs,
 * writes summary.json and sets process.exitCode (1 if any graph failed, 130 if interrupted).
 *
 * With `runFolder: false` the command keeps no run folder and takes positional `arguments` (see
 * {@link PlainCommandDefinition}: `make-shards`, `shards ls|check`, `merge-eval`).
 *
 * Records are per invocation: a rerun into the same folder first moves the previous config.json + summary.json into
 * one line of history.jsonl. A refused invocation (UsageError / BackendError from `run`, exit 2) and a --dry-run into
 * an existing folder put every record back as it was (and remove a folder they created), so they leave no trace.
 */
export function defineCommand<S extends OptionSpecs, A extends ArgumentSpecs = Record<never, never>>(definition: PlainCommandDefinition<S, A>): DefinedPlainCommand<S, A>;
export function defineCommand<S extends OptionSpecs>(definition: CommandDefinition<S>): DefinedCommand<S>;
export function defineCommand<S extends OptionSpecs, A extends ArgumentSpecs>(
  definition: CommandDefinition<S> | PlainCommandDefinition<S, A>,
): DefinedCommand<S> | DefinedPlainCommand<S, A> {
  return 'runFolder' in definition && definition.runFolder === false ? definePlainCommand(definition) : defineRunCommand(definition as CommandDefinition<S>);
}

function defineRunCommand<S extends OptionSpecs>(definition: CommandDefinition<S>): DefinedCommand<S> {
  const specs = { ...definition.options, ...COMMON_OPTIONS } as S & typeof COMMON_OPTIONS;
  return {
    name: definition.name,
    register(program: Command): void {
      const command = program.command(definition.name).description(definition.description);
      const flags = registerOptions(command, specs);
      if (definition.examples?.length) {
        command.addHelpText('after', `\nExamples:\n${definition.examples.map((e) => `  $ ${e}`).join('\n')}`);
      }
      command.action(async () => {
        process.exitCode = await execute(definition, resolveOptions(command, specs, flags), writersOf(command));
      });
    },
    invoke: async (options, writers = processWriters) => execute(definition, resolveGivenOptions(specs, options), writers),
  };
}

/** The options of a command run as a function: any subset of its flags (and the common ones) as typed values. */
export type CommandOptions<S extends OptionSpecs> = Partial<Omit<ResolvedOptions<S & typeof COMMON_OPTIONS>, 'config'>>;

/** A command made with {@link defineCommand}: registered on the CLI, and callable in-process with typed options. */
export interface DefinedCommand<S extends OptionSpecs> extends CommandModule {
  /**
   * Runs the command as a function, exactly as its CLI action does (run folder, config.json/summary.json, backend,
   * Ctrl-C → 130) with `options` in place of flags (unset ones take their defaults). Returns the exit code; a refused
   * run (UsageError, BackendError) or a failure throws, as it would reach `main`.
   */
  invoke(options: CommandOptions<S>, writers?: CliWriters): Promise<number>;
}

async function execute<S extends OptionSpecs>(
  definition: CommandDefinition<S>,
  resolved: Resolved<S & typeof COMMON_OPTIONS>,
  writers: CliWriters,
): Promise<number> {
  const started = performance.now();
  const options = resolved.values;
  const common = options as unknown as CommonOptions;
  const log = createCliLogger(common.quiet, writers);
  const backend = await selectBackend(common.backend as BackendChoice);
  log.info(backend.message);
  const runFolder = withRunFolderUsage(() => createRunFolder({ command: definition.name, out: common.out }));
  const before = snapshotRecords(runFolder.dir, runFolder.createdDir);
  if (definition.readOnly?.(options) === true) return executeReadOnly(definition, options, resolved.sources, runFolder, before, backend, log, writers);
  archivePreviousRecords(before);
  runFolder.writeJson('config.json', {
    command: definition.name,
    argv: process.argv.slice(2),
    configFile: resolved.configFile ?? null,
    options,
    sources: resolved.sources,
    backend: { name: backend.name, package: backend.package, requested: backend.requested },
    versions: { node: process.versions.node, vqrae: '0.1.0' },
    startedAt: new Date().toISOString(),
  });
  const outcomes: GraphRunOutcome[] = [];
  const ctx = commandContext(definition, options, resolved.sources, runFolder, backend, log, writers, async (name, graph) => {
    if (common.dryRun) {
      runFolder.addGraph(name, graph.describe());
      writers.writeOut(`${name}: ${graph.describe()}\n`);
      throw new DryRunStop();
    }
    const outcome = await runGraph(graph, { name, log, quiet: common.quiet, runFolder });
    outcomes.push(outcome);
    return outcome;
  });
  let result: CommandResult | void = undefined;
  let failure: unknown;
  const scope = { interrupted: false };
  try {
    result = await runInInterruptScope(definition, ctx, scope);
  } catch (error) {
    if (error instanceof DryRunStop) result = { summary: { dryRun: true } };
    else failure = error;
  }
  if (failure instanceof UsageError || failure instanceof BackendError) {
    restoreRecords(before);
    throw failure;
  }
  const { interrupted } = scope;
  if (interrupted && failure !== undefined && !(failure instanceof CancelledError)) {
    log.warn(`stopped after the interrupt: ${failure instanceof Error ? failure.message : String(failure)}`);
    failure = new CancelledError(`${definition.name}: cancelled (interrupted)`);
  }
  if (failure instanceof CancelledError || (interrupted && failure === undefined)) {
    // Ctrl-C (not a failure, whatever the command made of a cut-short run): exit 130, status "cancelled".
    log.warn(failure instanceof CancelledError ? failure.message : `${definition.name}: cancelled (interrupted)`);
    result = { exitCode: EXIT.interrupted, summary: { ...(result?.summary ?? {}), cancelled: true } };
    failure = undefined;
  }
  if (common.dryRun && failure === undefined && before.createdDir === undefined) {
    restoreRecords(before);
    return EXIT.ok;
  }
  const worst = worstExitCode(outcomes.map((o) => o.exitCode));
  const exitCode = failure !== undefined ? EXIT.failed : (result?.exitCode ?? worst);
  writeRunSummary(runFolder, {
    command: definition.name,
    exitCode,
    wallMs: performance.now() - started,
    error: failure,
    extra: { backend: backend.name, ...result?.summary },
  });
  log.info(`run folder: ${runFolder.dir}`);
  if (failure !== undefined) throw failure;
  return exitCode;
}

/**
 * A read-only invocation: `run` with a context whose `runGraph` refuses (reading a folder runs no graph), no records
 * written, a folder it created removed again. Ctrl-C → 130; a UsageError or failure throws as from `execute`.
 */
async function executeReadOnly<S extends OptionSpecs>(
  definition: CommandDefinition<S>,
  options: ResolvedOptions<S & typeof COMMON_OPTIONS>,
  sources: Readonly<Record<string, ValueSource>>,
  runFolder: RunFolder,
  before: ReturnType<typeof snapshotRecords>,
  backend: BackendSelection,
  log: Logger,
  writers: CliWriters,
): Promise<number> {
  const ctx = commandContext(definition, options, sources, runFolder, backend, log, writers, () =>
    Promise.reject(new Error(`${definition.name}: a read-only invocation runs no graph`)),
  );
  try {
    const scope = { interrupted: false };
    const result = await runInInterruptScope(definition, ctx, scope);
    return scope.interrupted ? EXIT.interrupted : (result?.exitCode ?? EXIT.ok);
  } finally {
    removeCreatedFolder(before);
  }
}

function commandContext<S extends OptionSpecs>(
  definition: CommandDefinition<S>,
  options: ResolvedOptions<S & typeof COMMON_OPTIONS>,
  sources: Readonly<Record<string, ValueSource>>,
  runFolder: RunFolder,
  backend: BackendSelection,
  log: Logger,
  writers: CliWriters,
  graphRunner: CommandContext<S>['runGraph'],
): CommandContext<S> {
  return {
    command: definition.name,
    options,
    sources,
    runFolder,
    backend,
    log,
    print: (line) => writers.writeOut(`${line}\n`),
    runGraph: graphRunner,
  };
}

/**
 * Runs the command in one Ctrl-C scope (graphs and dumps inside nest in it), so an interrupt before, between or after
 * graphs is a cancellation too, not Node's death by signal or a failure. `scope.interrupted` tells whether it was.
 */
async function runInInterruptScope<S extends OptionSpecs>(
  definition: CommandDefinition<S>,
  ctx: CommandContext<S>,
  scope: { interrupted: boolean },
): Promise<CommandResult | void> {
  return withInterrupt(ctx.log, async (signal) => {
    try {
      return await definition.run(ctx);
    } finally {
      scope.interrupted = signal.aborted;
    }
  });
}

/** Thrown by ctx.runGraph under --dry-run: the graph is printed and the command stops before running anything. */
class DryRunStop extends Error {
  constructor() {
    super('dry run');
  }
}

/** failed (1) beats interrupted (130) beats ok (0). */
function worstExitCode(codes: readonly number[]): number {
  if (codes.includes(EXIT.failed)) return EXIT.failed;
  return codes.includes(EXIT.interrupted) ? EXIT.interrupted : EXIT.ok;
}
