/**
 * Positional arguments of a command (`vqrae make-shards <input> <out-pattern>`), declared once like the options: the
 * declaration drives the commander arguments, the check of values given to `.invoke()` and the type the command
 * receives (merged into its options under the argument's key).
 */
import type { Command } from 'commander';
import { UsageError } from './errors.js';
import { kebabCase } from './option-spec.js';

/** One positional argument, always required: `<name>` (one value), or with `variadic` `<name...>` (one or more). */
export interface ArgumentSpec {
  readonly description: string;
  readonly variadic?: boolean;
  /** Name shown in usage and help without the brackets (default: the key in kebab-case, e.g. `out-pattern`). */
  readonly placeholder?: string;
}

export type ArgumentSpecs = Readonly<Record<string, ArgumentSpec>>;

/** The values of `A`: a string per argument, a non-empty list for a variadic one. */
export type ArgumentValues<A extends ArgumentSpecs> = {
  readonly [K in keyof A]: A[K] extends { readonly variadic: true } ? readonly string[] : string;
};

export const argument = <const S extends ArgumentSpec>(spec: S): S => spec;

/** Adds the commander arguments of `specs`, in declaration order. */
export function registerArguments(command: Command, specs: ArgumentSpecs): void {
  for (const [key, spec] of Object.entries(specs)) {
    const name = spec.placeholder ?? kebabCase(key);
    command.argument(spec.variadic ? `<${name}...>` : `<${name}>`, spec.description);
  }
}

/** The argument values commander passed to an action (its first parameters, in declaration order), by key. */
export function argumentsFromCli<A extends ArgumentSpecs>(specs: A, actionParameters: readonly unknown[]): ArgumentValues<A> {
  return Object.fromEntries(Object.keys(specs).map((key, i) => [key, actionParameters[i]])) as ArgumentValues<A>;
}

/**
 * Splits the options of an in-process call into the argument values (each checked: a string, or a non-empty list of
 * strings for a variadic one; a missing one is a UsageError `<command>: <name> is required`) and the other options.
 */
export function argumentsGiven<A extends ArgumentSpecs>(
  command: string,
  specs: A,
  given: Readonly<Record<string, unknown>>,
): { readonly values: ArgumentValues<A>; readonly rest: Readonly<Record<string, unknown>> } {
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const value = given[key];
    const ok = spec.variadic ? Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') : typeof value === 'string' && value !== '';
    if (!ok) throw new UsageError(`${command}: <${spec.placeholder ?? kebabCase(key)}> is required (${spec.variadic ? 'a non-empty list of strings' : 'a string'})`);
    values[key] = value;
  }
  const rest = Object.fromEntries(Object.entries(given).filter(([key]) => !(key in specs)));
  return { values: values as ArgumentValues<A>, rest };
}
