import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { resolveCheckpointArgument } from './checkpoint-argument.js';
import { loadConfigFile } from './config-file.js';
import { UsageError } from './errors.js';
import {
  booleanOption,
  checkValue,
  flagName,
  intOption,
  pathOption,
  stringOption,
  type OptionSpec,
  type OptionSpecs,
  type ResolvedOptions,
  type ValueSource,
} from './option-spec.js';

/** Options every run command has. */
export const COMMON_OPTIONS = {
  config: pathOption({
    description: 'JSON or YAML file of option values; flags given on the command line override it',
    placeholder: '<file>',
    mustExist: 'file',
    cliOnly: true,
  }),
  out: pathOption({ description: 'run folder (default: runs/<command>-<timestamp>)', placeholder: '<dir>' }),
  quiet: booleanOption({ description: 'no progress, backend line or summary table (errors still print)', default: false }),
  backend: stringOption({
    description: 'tfjs backend; auto = tensorflow (tfjs-node-gpu / tfjs-node, if installed) → wasm → cpu',
    choices: ['auto', 'tensorflow', 'wasm', 'cpu'],
    default: 'auto',
    placeholder: '<name>',
  }),
  seed: intOption({ description: 'seed for every random choice of the run', default: 0, min: 0, placeholder: '<n>' }),
  dryRun: booleanOption({ description: 'print the graph this command would run, then exit without running it', default: false }),
} as const;

export type CommonOptions = ResolvedOptions<typeof COMMON_OPTIONS>;

/**
 * How a flag value outside its spec is refused: `commander` (default): commander's `option '--batch <n>' argument
 * 'x' is invalid. <reason>`; `usage`: a UsageError `--batch <reason>, got 'x'` (the wording of the commands without a
 * run folder, e.g. `make-shards`). Both exit 2.
 */
export type InvalidFlagStyle = 'commander' | 'usage';

/** Adds one commander flag per spec. Returns the flag objects by spec key (to read values and their sources). */
export function registerOptions(command: Command, specs: OptionSpecs, invalid: InvalidFlagStyle = 'commander'): Map<string, Option> {
  const options = new Map<string, Option>();
  for (const [key, spec] of Object.entries(specs)) {
    const option = buildOption(key, spec, invalid);
    command.addOption(option);
    options.set(key, option);
  }
  return options;
}

function buildOption(key: string, spec: OptionSpec, invalid: InvalidFlagStyle): Option {
  const flag = flagName(key, spec);
  if (spec.kind === 'boolean') {
    return spec.default === true
      ? new Option(`--no-${flag}`, spec.description)
      : new Option(`--${flag}`, spec.description).default(spec.default ?? false);
  }
  const placeholder = spec.placeholder ?? (spec.kind === 'int' || spec.kind === 'number' ? '<n>' : spec.kind === 'path' ? '<path>' : '<value>');
  const choices = spec.kind === 'string' && spec.choices ? ` (${spec.choices.join(' | ')})` : '';
  const option = new Option(`--${flag} ${placeholder}`, `${spec.description}${choices}`).argParser((text: string) => {
    const checked = checkValue(spec, text, true);
    if (!checked.ok && invalid === 'usage') throw new UsageError(`--${flag} ${checked.reason}, got '${text}'`);
    if (!checked.ok) throw new InvalidArgumentError(`${checked.reason}.`);
    return checked.value;
  });
  if (spec.default !== undefined) option.default(spec.default);
  return option;
}

export interface Resolved<S extends OptionSpecs> {
  readonly values: ResolvedOptions<S>;
  readonly sources: Readonly<Record<string, ValueSource>>;
  /** Absolute path of the --config file, when one was given. */
  readonly configFile?: string;
}

/**
 * Merges defaults < config file < command-line flags for `specs`, then checks paths that must exist.
 * Paths are returned as given (relative paths resolve from the current directory).
 */
export function resolveOptions<S extends OptionSpecs>(command: Command, specs: S, flags: Map<string, Option>): Resolved<S> {
  const raw = command.opts<Record<string, unknown>>();
  const attribute = (key: string): string => flags.get(key)?.attributeName() ?? key;
  const configArg = typeof raw.config === 'string' ? raw.config : undefined;
  const configFile = configArg !== undefined ? path.resolve(configArg) : undefined;
  const fromConfig = configFile !== undefined ? loadConfigFile(configFile, specs) : {};
  const resolved = resolveEach(specs, (key) => {
    const source = command.getOptionValueSource(attribute(key));
    if (source === 'cli' || source === 'env') return { value: raw[attribute(key)], source: 'cli' };
    return key in fromConfig ? { value: fromConfig[key], source: 'config' } : undefined;
  });
  return { ...resolved, configFile };
}

/**
 * The options of an in-process call (a command run as a function): each given value is checked against its spec
 * (a bad one is a UsageError naming the flag), the others take their defaults; shipped checkpoint names and paths
 * that must exist are resolved and checked as for flags.
 */
export function resolveGivenOptions<S extends OptionSpecs>(specs: S, given: Readonly<Record<string, unknown>>): Resolved<S> {
  const unknown = Object.keys(given).filter((key) => given[key] !== undefined && (!(key in specs) || specs[key]!.cliOnly));
  if (unknown.length > 0) throw new UsageError(`unknown option(s) ${unknown.join(', ')}`);
  return resolveEach(specs, (key, spec) => {
    if (given[key] === undefined) return undefined;
    const checked = checkValue(spec, given[key], false);
    if (!checked.ok) throw new UsageError(`--${flagName(key, spec)} ${checked.reason}`);
    return { value: checked.value, source: 'call' };
  });
}

/** Every (not CLI-only) option: the value `pick` finds, else its default; shipped names resolved, paths checked. */
function resolveEach<S extends OptionSpecs>(specs: S, pick: (key: string, spec: OptionSpec) => { value: unknown; source: ValueSource } | undefined): Resolved<S> {
  const values: Record<string, unknown> = {};
  const sources: Record<string, ValueSource> = {};
  for (const [key, spec] of Object.entries(specs)) {
    if (spec.cliOnly) continue;
    const picked = pick(key, spec) ?? { value: spec.default, source: 'default' };
    values[key] = resolveShippedName(key, spec, picked.value);
    sources[key] = picked.source;
    checkPathExists(key, spec, values[key]);
  }
  return { values: values as ResolvedOptions<S>, sources };
}

/** A checkpoint option's value that is not an existing path → the shipped checkpoint's file (sha256 verified). */
function resolveShippedName(key: string, spec: OptionSpec, value: unknown): unknown {
  if (spec.kind !== 'path' || !spec.shipped || typeof value !== 'string') return value;
  return resolveCheckpointArgument(value, `--${flagName(key, spec)}`).file;
}

function checkPathExists(key: string, spec: OptionSpec, value: unknown): void {
  if (spec.kind !== 'path' || !spec.mustExist || typeof value !== 'string') return;
  const flag = `--${flagName(key, spec)}`;
  if (!fs.existsSync(value)) throw new UsageError(`${flag}: ${spec.mustExist === 'dir' ? 'folder' : 'file'} not found: ${value}`);
  const isDir = fs.statSync(value).isDirectory();
  if (spec.mustExist === 'dir' && !isDir) throw new UsageError(`${flag}: expected a folder, got a file: ${value}`);
  if (spec.mustExist === 'file' && isDir) throw new UsageError(`${flag}: expected a file, got a folder: ${value}`);
}
