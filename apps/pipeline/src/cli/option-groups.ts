/**
 * Options several commands declare alike (checkpoint, data, crop, batch, onError), written once: each helper returns
 * an ordinary option spec (spread it under the command's own key, change the text where the command means something
 * else), and {@link requireOptions} replaces the `if (!o.x) throw new UsageError(...)` lines of options a command
 * cannot run without.
 */
import { UsageError } from './errors.js';
import { intOption, pathOption, stringOption } from './option-spec.js';

/**
 * `--checkpoint <file|name>`: a VQRAE checkpoint that must exist, or the name of a shipped checkpoint (`vqrae info`),
 * resolved to its sha256-verified file by the option parser (see checkpoint-argument.ts).
 */
export const checkpointOption = (description = 'VQRAE checkpoint (.safetensors) or a shipped name (vqrae info)') =>
  pathOption({ description, mustExist: 'file', shipped: true, placeholder: '<file|name>' });

/** `--data <spec>`: a shard spec (braces, lists, URLs). */
export const dataOption = (description = "shard spec, e.g. 'val-{000..009}.tar' (quote it)") => stringOption({ description, placeholder: '<spec>' });

/** `--crop <protocol>` among `choices`, with a default. */
export const cropOption = <const C extends readonly string[]>(choices: C, fallback: C[number], description = 'image protocol before encoding') =>
  stringOption({ description, choices, default: fallback });

/** `--batch <n>`: images (or rows) per forward pass, ≥ 1. */
export const batchOption = (fallback: number, description = 'images per forward pass') => intOption({ description, default: fallback, min: 1 });

/** `--on-error throw|skip` (default throw). */
export const onErrorOption = (description = 'bad samples: stop, or skip them (counted, listed in summary.json)') =>
  stringOption({ description, choices: ['throw', 'skip'] as const, default: 'throw' });

/** Required options, as `NonNullable` values: throws `<command>: --a is required` (or `--a and --b are required`). */
export function requireOptions<O extends object, K extends keyof O & string>(command: string, options: O, ...names: K[]): { [P in K]: NonNullable<O[P]> } {
  const missing = names.filter((n) => options[n] === undefined || options[n] === null || options[n] === '');
  if (missing.length > 0) {
    const flags = missing.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
    throw new UsageError(`${command}: ${flags.length === 1 ? `${flags[0]} is required` : `${flags.slice(0, -1).join(', ')} and ${flags.at(-1)} are required`}`);
  }
  return Object.fromEntries(names.map((n) => [n, options[n]])) as { [P in K]: NonNullable<O[P]> };
}
